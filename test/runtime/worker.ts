/**
 * The core suite as a Cloudflare Worker, bundled by the matrix driver from
 * the installed package and served by workerd: `GET /?provider=<url>`
 * answers with the results. A bundled worker can't import packages at run
 * time, so it hands byokit the SDKs it bundled, as a host's worker would.
 */
import * as anthropic from '@anthropic-ai/sdk';
import * as openai from 'openai';
import { provideSdk } from 'byokit';
import vectors from '../vectors/seal-v1.json' with { type: 'json' };
import { runCoreSuite } from './core-suite.js';

provideSdk('openai', openai);
provideSdk('@anthropic-ai/sdk', anthropic);

export default {
  async fetch(request: Request): Promise<Response> {
    const providerUrl = new URL(request.url).searchParams.get('provider');
    if (!providerUrl) return new Response('provider=<url> is required', { status: 400 });
    return Response.json(await runCoreSuite({ providerUrl, vectors }));
  },
};
