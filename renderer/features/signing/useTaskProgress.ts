// Progress of one long core task (sign, verify), from the bus `task` events that carry its id.
import { useCallback, useState } from 'react';
import { useBusEvents } from '../../api/useBusEvents.js';

export function useTaskProgress(): { progressId: string; progress: number | undefined; start: () => string } {
  const [progressId, setProgressId] = useState('');
  const [progress, setProgress] = useState<number>();
  useBusEvents('task', (events) => {
    const mine = events.filter((e) => e.taskId === progressId && e.progress !== undefined).at(-1);
    if (mine?.progress !== undefined) setProgress(mine.progress);
  });
  const start = useCallback(() => {
    const id = crypto.randomUUID();
    setProgressId(id);
    setProgress(0);
    return id;
  }, []);
  return { progressId, progress, start };
}
