export * from './codec.ts';
export * from './frame-reader.ts';
