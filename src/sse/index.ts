export * from './parser.ts';
export * from './encoder.ts';
