/**
 * A local stand-in for the Hugging Face Hub, for tests: real HTTP on 127.0.0.1 (random ports), serving
 * repositories the way huggingface.co does — the revision API, `/resolve/` with ETag, X-Repo-Commit,
 * X-Linked-Etag/X-Linked-Size and a 302 to a "CDN" on another origin for LFS files, HEAD, Range (206) —
 * plus the upload side (repo creation, preupload, LFS batch + PUT, NDJSON commit). Faults can be
 * scripted per request: an HTTP status (with Retry-After), a connection cut mid-body, corrupted bytes,
 * a Range request answered with the whole file.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';

export interface FakeRepoSpec {
  id: string;
  files: Record<string, Buffer>;
  /** Metadata public, files only with a token (401 GatedRepo without). */
  gated?: boolean;
  /** Nothing without a token (401 RepoNotFound, as the Hub hides private repos). */
  private?: boolean;
}

export type FaultAction =
  | { type: 'status'; status: number; retryAfter?: string; errorCode?: string; errorMessage?: string }
  | { type: 'cut'; afterBytes: number }
  /** Sends the first bytes, then nothing more until the client gives up or the server closes. */
  | { type: 'stall'; afterBytes: number }
  | { type: 'corrupt' }
  | { type: 'ignore-range' };

export interface Fault {
  /** Matched against the request path (without query), e.g. '/blobs/' or 'model.safetensors'. */
  match: string | RegExp;
  method?: string;
  /** How many requests it hits; default 1. */
  times?: number;
  action: FaultAction;
}

export interface RequestRecord {
  server: 'hub' | 'cdn';
  method: string;
  path: string;
  status: number;
  range?: string;
  authorized: boolean;
  /** Body bytes of file content actually written. */
  bodyBytes: number;
}

interface StoredFile {
  content: Buffer;
  sha256: string;
  gitSha1: string;
  lfs: boolean;
}

interface Commit {
  sha: string;
  summary: string;
  files: Map<string, StoredFile>;
}

interface RepoState {
  spec: FakeRepoSpec;
  commits: Map<string, Commit>;
  branches: Map<string, string>;
}

export interface FakeHub {
  /** The Hub's origin, e.g. http://127.0.0.1:41234 (use as endpoint). */
  url: string;
  /** The CDN's origin (another port, so another origin). */
  cdnUrl: string;
  log: RequestRecord[];
  addRepo(spec: FakeRepoSpec): string;
  /** The commit sha a branch points to. */
  branchSha(repoId: string, branch?: string): string;
  /** The files of a repository at a branch. */
  filesAt(repoId: string, branch?: string): Map<string, Buffer>;
  commitSummaries(repoId: string): string[];
  addFault(fault: Fault): void;
  clearFaults(): void;
  /** File-content bytes served, optionally only for paths containing `pathPart`. */
  bytesServed(pathPart?: string): number;
  close(): Promise<void>;
}

export interface FakeHubOptions {
  repos?: FakeRepoSpec[];
  /** Token → access. */
  tokens?: Record<string, 'read' | 'write'>;
  /** Files at least this large are LFS files (redirected to the CDN, uploaded through the LFS batch API); default 1 MB. */
  lfsThreshold?: number;
  /** The account name /api/whoami-v2 reports for any valid token. */
  userName?: string;
}

/** The files of a fixture checkpoint folder, e.g. ../shared/fixtures/models/tiny-bert-qa. */
export function readFixtureFiles(dir: string): Record<string, Buffer> {
  const files: Record<string, Buffer> = {};
  // Files only: a model that answered questions has its built ONNX graph in an onnx/ folder.
  for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isFile()) files[entry.name] = readFileSync(join(dir, entry.name));
  return files;
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function gitBlobSha1(data: Buffer): string {
  return createHash('sha1').update(`blob ${data.length}\0`).update(data).digest('hex');
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}

export async function startFakeHub(options: FakeHubOptions = {}): Promise<FakeHub> {
  const tokens = options.tokens ?? {};
  const lfsThreshold = options.lfsThreshold ?? 1_000_000;
  const whoamiName = options.userName ?? 'spantune-tester';
  const repos = new Map<string, RepoState>();
  const lfsStore = new Map<string, Buffer>();
  const faults: (Fault & { left: number })[] = [];
  const log: RequestRecord[] = [];
  const sockets = new Set<Socket>();
  let commitCounter = 0;
  let hubUrl = '';
  let cdnUrl = '';

  function storeFile(content: Buffer): StoredFile {
    return { content, sha256: sha256(content), gitSha1: gitBlobSha1(content), lfs: content.length >= lfsThreshold };
  }

  function makeCommit(repo: RepoState, parent: Commit | undefined, summary: string, files: Map<string, StoredFile>): Commit {
    const sha = createHash('sha1').update(`${repo.spec.id}:${parent?.sha ?? ''}:${summary}:${++commitCounter}`).digest('hex');
    const commit = { sha, summary, files };
    repo.commits.set(sha, commit);
    return commit;
  }

  function addRepo(spec: FakeRepoSpec): string {
    const repo: RepoState = { spec, commits: new Map(), branches: new Map() };
    const files = new Map(Object.entries(spec.files).map(([path, content]) => [path, storeFile(content)]));
    const commit = makeCommit(repo, undefined, 'initial commit', files);
    repo.branches.set('main', commit.sha);
    repos.set(spec.id, repo);
    for (const file of files.values()) if (file.lfs) lfsStore.set(file.sha256, file.content);
    return commit.sha;
  }
  for (const spec of options.repos ?? []) addRepo(spec);

  function access(req: IncomingMessage): 'read' | 'write' | undefined {
    const header = req.headers.authorization;
    return header?.startsWith('Bearer ') ? tokens[header.slice(7)] : undefined;
  }

  function takeFault(path: string, method: string): FaultAction | undefined {
    const fault = faults.find(
      (f) => f.left > 0 && (!f.method || f.method === method) && (typeof f.match === 'string' ? path.includes(f.match) : f.match.test(path)),
    );
    if (!fault) return undefined;
    fault.left--;
    return fault.action;
  }

  function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  }

  function sendError(res: ServerResponse, status: number, code: string | undefined, message: string, method: string, extra: Record<string, string> = {}): void {
    const headers: Record<string, string> = { 'x-error-message': message, ...extra };
    if (code) headers['x-error-code'] = code;
    if (method === 'HEAD') {
      res.writeHead(status, headers);
      res.end();
    } else sendJson(res, status, { error: message }, headers);
  }

  /** Sends file content, honouring Range and the scripted content faults; returns body bytes written. */
  function sendContent(req: IncomingMessage, res: ServerResponse, content: Buffer, headers: Record<string, string>, fault?: FaultAction): number {
    let body = content;
    if (fault?.type === 'corrupt') {
      body = Buffer.from(content);
      body[Math.floor(body.length / 2)]! ^= 0xff;
    }
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    let status = 200;
    const out: Record<string, string> = { 'accept-ranges': 'bytes', 'content-type': 'application/octet-stream', ...headers };
    if (range && fault?.type !== 'ignore-range') {
      const start = Number(range[1]);
      const end = range[2] ? Math.min(Number(range[2]), body.length - 1) : body.length - 1;
      if (start >= body.length) {
        res.writeHead(416, { 'content-range': `bytes */${body.length}` });
        res.end();
        return 0;
      }
      status = 206;
      out['content-range'] = `bytes ${start}-${end}/${body.length}`;
      body = body.subarray(start, end + 1);
    }
    out['content-length'] = String(body.length);
    res.writeHead(status, out);
    if (req.method === 'HEAD') {
      res.end();
      return 0;
    }
    if (fault?.type === 'stall') {
      const part = body.subarray(0, Math.min(fault.afterBytes, body.length));
      res.write(part);
      return part.length;
    }
    if (fault?.type === 'cut') {
      const part = body.subarray(0, Math.min(fault.afterBytes, body.length));
      res.write(part, () => setTimeout(() => res.socket?.destroy(), 20));
      return part.length;
    }
    res.end(body);
    return body.length;
  }

  function findRepo(id: string): RepoState | undefined {
    return repos.get(id);
  }

  /** 404/401 as the Hub answers for a missing, private or gated repository; undefined when allowed. */
  function repoDenied(repo: RepoState | undefined, req: IncomingMessage, forFiles: boolean): [number, string, string] | undefined {
    if (!repo) return [404, 'RepoNotFound', 'Repository not found'];
    if (repo.spec.private && !access(req)) return [401, 'RepoNotFound', 'Repository not found'];
    if (repo.spec.gated && forFiles && !access(req)) {
      return [401, 'GatedRepo', `Access to model ${repo.spec.id} is restricted. You must have access to it and be authenticated to access it.`];
    }
    return undefined;
  }

  function resolveRevision(repo: RepoState, revision: string): Commit | undefined {
    const sha = repo.branches.get(revision) ?? (repo.commits.has(revision) ? revision : undefined);
    return sha ? repo.commits.get(sha) : undefined;
  }

  async function handleHub(req: IncomingMessage, res: ServerResponse, path: string, method: string, fault: FaultAction | undefined): Promise<number> {
    let match = /^\/api\/models\/(.+)\/revision\/([^/]+)$/.exec(path);
    if (match && method === 'GET') {
      const repo = findRepo(match[1]!);
      const denied = repoDenied(repo, req, false);
      if (denied) return sendError(res, ...denied, method), 0;
      const commit = resolveRevision(repo!, decodeURIComponent(match[2]!));
      if (!commit) return sendError(res, 404, 'RevisionNotFound', `Invalid rev id: ${match[2]}`, method), 0;
      sendJson(res, 200, {
        id: repo!.spec.id,
        sha: commit.sha,
        private: !!repo!.spec.private,
        gated: repo!.spec.gated ? 'manual' : false,
        siblings: [...commit.files.keys()].map((rfilename) => ({ rfilename })),
      });
      return 0;
    }

    match = /^\/(.+?)\/resolve\/([^/]+)\/(.+)$/.exec(path);
    if (match && (method === 'GET' || method === 'HEAD')) {
      const repo = findRepo(match[1]!);
      const denied = repoDenied(repo, req, true);
      if (denied) return sendError(res, ...denied, method), 0;
      const commit = resolveRevision(repo!, decodeURIComponent(match[2]!));
      if (!commit) return sendError(res, 404, 'RevisionNotFound', `Invalid rev id: ${match[2]}`, method), 0;
      const name = match[3]!.split('/').map(decodeURIComponent).join('/');
      const file = commit.files.get(name);
      if (!file) return sendError(res, 404, 'EntryNotFound', `${name} does not exist on "${match[2]}"`, method), 0;
      if (file.lfs) {
        res.writeHead(302, {
          location: `${cdnUrl}/blobs/${file.sha256}?expires=9999999999&signature=fake`,
          'x-repo-commit': commit.sha,
          etag: `"${gitBlobSha1(Buffer.from(`version https://git-lfs.github.com/spec/v1\noid sha256:${file.sha256}\nsize ${file.content.length}\n`))}"`,
          'x-linked-etag': `"${file.sha256}"`,
          'x-linked-size': String(file.content.length),
          'content-length': '0',
        });
        res.end();
        return 0;
      }
      return sendContent(req, res, file.content, { etag: `"${file.gitSha1}"`, 'x-repo-commit': commit.sha }, fault);
    }

    if (path === '/api/whoami-v2' && method === 'GET') {
      const role = access(req);
      if (!role) return sendError(res, 401, undefined, 'Invalid credentials in Authorization header', method), 0;
      sendJson(res, 200, { type: 'user', name: whoamiName, auth: { type: 'access_token', accessToken: { displayName: 'test', role } } });
      return 0;
    }

    if (path === '/api/repos/create' && method === 'POST') {
      if (access(req) !== 'write') return sendError(res, 401, undefined, 'Invalid credentials in Authorization header', method), 0;
      const body = JSON.parse((await readBody(req)).toString('utf8')) as { name: string; organization?: string; private?: boolean; visibility?: string };
      const id = body.organization ? `${body.organization}/${body.name}` : body.name;
      if (repos.has(id)) return sendJson(res, 409, { error: 'You already created this model repo', url: `${hubUrl}/${id}` }), 0;
      addRepo({ id, files: { '.gitattributes': Buffer.from('*.safetensors filter=lfs diff=lfs merge=lfs -text\n') }, private: body.private ?? body.visibility === 'private' });
      sendJson(res, 200, { url: `${hubUrl}/${id}`, name: id, id: `fake-${id}` });
      return 0;
    }

    match = /^\/api\/models\/(.+)\/preupload\/([^/]+)$/.exec(path);
    if (match && method === 'POST') {
      if (access(req) !== 'write') return sendError(res, 401, undefined, 'Invalid credentials in Authorization header', method), 0;
      const repo = findRepo(match[1]!);
      if (!repo) return sendError(res, 404, 'RepoNotFound', 'Repository not found', method), 0;
      const body = JSON.parse((await readBody(req)).toString('utf8')) as { files: { path: string; size: number }[] };
      sendJson(res, 200, {
        files: body.files.map((file) => ({ path: file.path, uploadMode: file.size >= lfsThreshold ? 'lfs' : 'regular', shouldIgnore: false })),
      });
      return 0;
    }

    match = /^\/(.+)\.git\/info\/lfs\/objects\/batch$/.exec(path);
    if (match && method === 'POST') {
      if (access(req) !== 'write') return sendError(res, 401, undefined, 'Invalid credentials in Authorization header', method), 0;
      const body = JSON.parse((await readBody(req)).toString('utf8')) as { objects: { oid: string; size: number }[] };
      const objects = body.objects.map(({ oid, size }) =>
        lfsStore.has(oid) ? { oid, size } : { oid, size, authenticated: true, actions: { upload: { href: `${cdnUrl}/upload/${oid}` } } },
      );
      const text = JSON.stringify({ transfer: 'basic', objects });
      res.writeHead(200, { 'content-type': 'application/vnd.git-lfs+json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
      return 0;
    }

    match = /^\/api\/models\/(.+)\/commit\/([^/]+)$/.exec(path);
    if (match && method === 'POST') {
      if (access(req) !== 'write') return sendError(res, 401, undefined, 'Invalid credentials in Authorization header', method), 0;
      const repo = findRepo(match[1]!);
      if (!repo) return sendError(res, 404, 'RepoNotFound', 'Repository not found', method), 0;
      const branch = decodeURIComponent(match[2]!);
      const parent = resolveRevision(repo, branch);
      const files = new Map(parent?.files ?? []);
      let summary = '';
      for (const line of (await readBody(req)).toString('utf8').split('\n').filter(Boolean)) {
        const { key, value } = JSON.parse(line) as { key: string; value: Record<string, unknown> };
        if (key === 'header') summary = String(value.summary ?? '');
        else if (key === 'file') files.set(String(value.path), storeFile(Buffer.from(String(value.content), 'base64')));
        else if (key === 'lfsFile') {
          const content = lfsStore.get(String(value.oid));
          if (!content) return sendJson(res, 400, { error: `LFS object ${String(value.oid)} was never uploaded` }), 0;
          files.set(String(value.path), storeFile(content));
        } else if (key === 'deletedFile') files.delete(String(value.path));
        else return sendJson(res, 400, { error: `unknown NDJSON key ${key}` }), 0;
      }
      const commit = makeCommit(repo, parent, summary, files);
      repo.branches.set(branch, commit.sha);
      sendJson(res, 200, { success: true, commitOid: commit.sha, commitUrl: `${hubUrl}/${repo.spec.id}/commit/${commit.sha}` });
      return 0;
    }

    sendJson(res, 404, { error: `fake hub: no route for ${method} ${path}` });
    return 0;
  }

  async function handleCdn(req: IncomingMessage, res: ServerResponse, path: string, method: string, fault: FaultAction | undefined): Promise<number> {
    let match = /^\/blobs\/([0-9a-f]{64})$/.exec(path);
    if (match && (method === 'GET' || method === 'HEAD')) {
      const content = lfsStore.get(match[1]!);
      if (!content) return sendJson(res, 404, { error: 'no such object' }), 0;
      return sendContent(req, res, content, { etag: `"${match[1]}"` }, fault);
    }
    match = /^\/upload\/([0-9a-f]{64})$/.exec(path);
    if (match && method === 'PUT') {
      const body = await readBody(req);
      if (sha256(body) !== match[1]) return sendJson(res, 400, { error: 'sha256 of the uploaded body does not match the oid' }), 0;
      lfsStore.set(match[1]!, body);
      res.writeHead(200, { etag: `"${match[1]}"`, 'content-length': '0' });
      res.end();
      return 0;
    }
    sendJson(res, 404, { error: `fake cdn: no route for ${method} ${path}` });
    return 0;
  }

  function makeServer(kind: 'hub' | 'cdn'): Server {
    const server = createServer((req, res) => {
      const method = req.method ?? 'GET';
      const path = (req.url ?? '/').split('?')[0]!;
      const record: RequestRecord = {
        server: kind,
        method,
        path,
        status: 0,
        range: req.headers.range,
        authorized: req.headers.authorization !== undefined,
        bodyBytes: 0,
      };
      log.push(record);
      res.on('finish', () => (record.status = res.statusCode));
      res.on('close', () => (record.status ||= res.statusCode));
      const fault = takeFault(path, method);
      if (fault?.type === 'status') {
        const headers: Record<string, string> = fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {};
        const message = fault.errorMessage ?? `scripted ${fault.status}`;
        void readBody(req).then(() => sendError(res, fault.status, fault.errorCode, message, method, headers));
        return;
      }
      const handler = kind === 'hub' ? handleHub : handleCdn;
      handler(req, res, path, method, fault).then(
        (bytes) => (record.bodyBytes = bytes),
        (error: unknown) => {
          if (!res.headersSent) sendJson(res, 500, { error: String(error) });
          else res.destroy();
        },
      );
    });
    server.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    return server;
  }

  const hubServer = makeServer('hub');
  const cdnServer = makeServer('cdn');
  hubUrl = await listen(hubServer);
  cdnUrl = await listen(cdnServer);

  function branchCommit(repoId: string, branch = 'main'): Commit {
    const repo = repos.get(repoId);
    const sha = repo?.branches.get(branch);
    if (!repo || !sha) throw new Error(`fake hub: no ${repoId}@${branch}`);
    return repo.commits.get(sha)!;
  }

  return {
    url: hubUrl,
    cdnUrl,
    log,
    addRepo,
    branchSha: (repoId, branch) => branchCommit(repoId, branch).sha,
    filesAt: (repoId, branch) => new Map([...branchCommit(repoId, branch).files].map(([path, file]) => [path, file.content])),
    commitSummaries: (repoId) => [...(repos.get(repoId)?.commits.values() ?? [])].map((commit) => commit.summary),
    addFault: (fault) => faults.push({ ...fault, left: fault.times ?? 1 }),
    clearFaults: () => void faults.splice(0),
    bytesServed: (pathPart) => log.filter((r) => !pathPart || r.path.includes(pathPart)).reduce((sum, r) => sum + r.bodyBytes, 0),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await Promise.all([hubServer, cdnServer].map((server) => new Promise((resolve) => server.close(resolve))));
    },
  };
}

/** A minimal HTTP CONNECT proxy on 127.0.0.1 that counts the tunnels it opened, for proxy tests. */
export async function startConnectProxy(): Promise<{ url: string; tunnels: string[]; close(): Promise<void> }> {
  const tunnels: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((_req, res) => {
    res.writeHead(405);
    res.end('only CONNECT');
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const [host, port] = (req.url ?? '').split(':');
    tunnels.push(req.url ?? '');
    if (host !== '127.0.0.1') {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n'); // loopback only
      return;
    }
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    }
  });
  const url = await listen(server);
  return {
    url,
    tunnels,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
