#!/usr/bin/env node
// `npx geminivideo <command> …`: the CLI of src/client.ts, compiled on the fly by tsx as the npm scripts do.
/* eslint-disable @typescript-eslint/no-require-imports */
require('tsx/cjs');
require('../src/client.ts');
