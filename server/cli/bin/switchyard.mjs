#!/usr/bin/env node
// Entry point of `switchyard`, the operator CLI: TypeScript run by tsx (a runtime dependency), no build step.
import { register } from 'tsx/esm/api';

register();
await import('../main.ts');
