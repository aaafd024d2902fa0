export * from './model-def';
export * from './point-codec';
export * from './layout';
export * from './sunspec-model';
export * from './sunspec-device';
export * from './discover';
export * from './write-handler';
export * from './common-model';
