export * from './units.ts';
export * from './schema/music.ts';
export * from './schema/plan.ts';
export * from './schema/events.ts';
export * from './schema/api.ts';
