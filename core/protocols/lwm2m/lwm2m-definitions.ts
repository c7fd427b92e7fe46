// LwM2M object definitions from resources/lwm2m/*.json (each file one object or an array of them).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { lwm2mObjectDefinitionSchema, type Lwm2mObjectDefinition } from '../../contract/lwm2m.js';

export const lwm2mObjectSchema = lwm2mObjectDefinitionSchema;
export type Lwm2mObject = Lwm2mObjectDefinition;

export interface Lwm2mDefinitions {
  object(id: number): Lwm2mObject | undefined;
  resourceName(objectId: number, resourceId: number): string | undefined;
  /** Every object, by id. */
  all(): Lwm2mObject[];
}

export const defaultLwm2mDir = fileURLToPath(new URL('../../../resources/lwm2m/', import.meta.url));

export function definitionsFrom(objects: Lwm2mObject[]): Lwm2mDefinitions {
  const byId = new Map(objects.map((o) => [o.id, o]));
  return {
    object: (id) => byId.get(id),
    resourceName: (o, r) => byId.get(o)?.resources.find((res) => res.id === r)?.name,
    all: () => [...byId.values()].sort((a, b) => a.id - b.id),
  };
}

/** Reads every definition file; an unreadable one is reported to `onProblem` and skipped. */
export function loadLwm2mDefinitions(
  dir = defaultLwm2mDir,
  onProblem: (file: string, message: string) => void = () => {},
): Lwm2mDefinitions {
  const objects: Lwm2mObject[] = [];
  let files: string[] = [];
  try {
    files = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort();
  } catch (error) {
    onProblem(dir, error instanceof Error ? error.message : String(error));
  }
  for (const file of files) {
    try {
      const json: unknown = JSON.parse(readFileSync(join(dir, file), 'utf8'));
      const parsed = z.union([lwm2mObjectSchema, z.array(lwm2mObjectSchema)]).safeParse(json);
      if (!parsed.success) {
        onProblem(file, parsed.error.issues[0]?.message ?? 'invalid');
        continue;
      }
      objects.push(...(Array.isArray(parsed.data) ? parsed.data : [parsed.data]));
    } catch (error) {
      onProblem(file, error instanceof Error ? error.message : String(error));
    }
  }
  return definitionsFrom(objects);
}
