import { ApiError } from './api-error.js';
import { followTextStream } from './text-stream.follower.js';

export { ApiError };

export interface BuildStatus {
  id: string;
  job_name: string;
  state: 'queued' | 'running' | 'succeeded' | 'failed';
  image: string;
  digest?: string;
  reason?: string;
  message?: string;
  log_tail?: string[];
}

/** The deployer's HTTP API as a client sees it. */
export class DeployerApiClient {
  private readonly authorization: string;

  constructor(
    private readonly baseUrl: string,
    auth: string,
  ) {
    this.authorization = `Basic ${Buffer.from(auth).toString('base64')}`;
  }

  async startBuild(body: { source: string; target: string; kind: string; file?: string; force?: boolean }) {
    return this.request<{ id: string; job_name: string; state: string; image: string }>('POST', '/system/api/v1/build/start', body);
  }

  async builds(): Promise<BuildStatus[]> {
    return (await this.request<{ builds: BuildStatus[] }>('GET', '/system/api/v1/build')).builds;
  }

  async cleanup(maxAgeHours: number): Promise<{ message: string; deleted: number }> {
    return this.request('POST', '/system/api/v1/build/cleanup', { max_age_hours: maxAgeHours });
  }

  async build(id: string): Promise<BuildStatus> {
    return this.request<BuildStatus>('GET', `/system/api/v1/build/${encodeURIComponent(id)}`);
  }

  /**
   * Follows the build's log from line `from`, handing each complete line to
   * `onLine`. Resolves `complete: true` when the server ended the stream
   * cleanly, `false` when it was cut; a line cut in the middle is not handed on.
   */
  followLogs(id: string, from: number, onLine: (line: string) => void): Promise<{ complete: boolean }> {
    const path = `/system/api/v1/build/${encodeURIComponent(id)}/logs?follow=true&from=${from}`;
    return followTextStream(new URL(this.baseUrl + path), { authorization: this.authorization }, onLine);
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(this.baseUrl + path, {
      method,
      headers: { authorization: this.authorization, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    let parsed: { message?: string } & Record<string, unknown> = {};
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      throw new ApiError(response.status, `unexpected answer: ${text.slice(0, 200)}`);
    }
    if (!response.ok) throw new ApiError(response.status, parsed.message ?? `HTTP ${response.status}`);
    return parsed as T;
  }
}
