#!/usr/bin/env node
/**
 * The Slack CLI's `get-manifest` hook (slack.json): prints manifest.yml as the JSON the CLI reads
 * on stdout, for `slack run`, `slack deploy`, `slack install` and `slack manifest`. manifest.yml
 * stays the one manifest, the same one people paste at api.slack.com/apps.
 * @see https://docs.slack.dev/tools/slack-cli/reference/commands/slack_manifest
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const manifest = parse(readFileSync(new URL('../../manifest.yml', import.meta.url), 'utf8'));
process.stdout.write(`${JSON.stringify(manifest)}\n`);
