// Opens the rule engine on a file, stores one report that fires a rule, and is killed with SIGKILL right after the
// report's transaction commits: before any firing's actions can run.
import { createManualClock } from '../../core/clock.js';
import { openRulesRig } from './rules-rig.js';

const [file, at, temperature] = process.argv.slice(2);
const rig = openRulesRig(file ?? '', createManualClock(Number(at)));
rig.report('smoke-1', { temperature: Number(temperature) });
process.kill(process.pid, 'SIGKILL');
