/**
 * What a call is told: the form's fields, filled in from the query string
 * (`?room=lab&role=answerer&autostart=1`), with bin/client's defaults
 * (docs/CLI.md) except the tone, 550 Hz, so it is never taken for either CLI.
 */
import { isValidName } from '../signaling/names.js';

export type Role = 'offerer' | 'answerer';
export type AudioChoice = 'tone' | 'mic' | 'none';

export interface PageOptions {
  role: Role;
  room: string;
  id: string;
  peer: string;
  turn: boolean;
  relayOnly: boolean;
  audio: AudioChoice;
  toneHz: number;
  messages: number;
  intervalMs: number;
  durationS: number;
  timeoutS: number;
}

export const PAGE_TONE_HZ = 550;

export const otherRole = (role: Role): Role => (role === 'offerer' ? 'answerer' : 'offerer');

/** The options from a set of fields (the query string or the form's data); throws on a bad one. */
export function readOptions(fields: { get(name: string): string | null }): PageOptions {
  const text = (name: string): string | undefined => {
    const value = fields.get(name)?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const role = text('role') ?? 'answerer';
  if (role !== 'offerer' && role !== 'answerer') throw new Error(`role must be offerer or answerer, not ${role}`);
  const audio = text('audio') ?? 'tone';
  if (audio !== 'tone' && audio !== 'mic' && audio !== 'none') throw new Error(`audio must be tone, mic or none`);
  const name = (field: string, fallback: string): string => {
    const value = text(field) ?? fallback;
    if (!isValidName(value)) throw new Error(`${field}: ${JSON.stringify(value)} is not a valid name`);
    return value;
  };
  const number = (field: string, fallback: number, min: number, max: number): number => {
    const raw = text(field);
    const value = raw === undefined ? fallback : Number(raw);
    if (!Number.isFinite(value) || value < min || value > max)
      throw new Error(`${field} must be a number from ${min} to ${max}`);
    return value;
  };
  const flag = (field: string): boolean => ['1', 'true', 'on', 'yes'].includes(text(field) ?? '');
  return {
    role,
    room: name('room', 'default'),
    id: name('id', role),
    peer: name('peer', otherRole(role)),
    turn: flag('turn'),
    relayOnly: flag('relayOnly'),
    audio,
    toneHz: number('toneHz', PAGE_TONE_HZ, 20, 20_000),
    messages: Math.round(number('messages', 5, 0, 1000)),
    intervalMs: number('intervalMs', 500, 0, 60_000),
    durationS: number('durationS', 3, 0, 3600),
    timeoutS: number('timeoutS', 30, 1, 3600),
  };
}
