#!/usr/bin/env node
// `npx rapport ...`: the operators' command line over the HTTP API (cli/main.ts), run through tsx.
import process from 'node:process';
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
