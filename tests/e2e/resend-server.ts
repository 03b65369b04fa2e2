import { createServer } from 'node:http';

/*
 * A local Resend-compatible API for the end-to-end tests: the production build under test sends its
 * emails (sign-in links, receipts) through the real `resend` SDK pointed here by RESEND_API_BASE,
 * and the tests read them back from GET /test/emails — as a person would read their inbox. Run by
 * Playwright as a web server: `tsx tests/e2e/resend-server.ts <port>`.
 */

interface SentEmail {
  id: string;
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  createdAt: string;
}

const port = Number(process.argv[2] ?? 3101);
const sent: SentEmail[] = [];
const MAX_BODY_BYTES = 1024 * 1024;

createServer((req, res) => {
  const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
  res.setHeader('content-type', 'application/json');
  if (req.method === 'GET' && url.pathname === '/test/health') {
    res.end('{"ok":true}');
    return;
  }
  if (req.method === 'GET' && url.pathname === '/test/emails') {
    const to = url.searchParams.get('to');
    res.end(JSON.stringify(sent.filter((email) => !to || email.to === to).reverse()));
    return;
  }
  if (req.method === 'POST' && url.pathname === '/emails') {
    if (!req.headers.authorization?.startsWith('Bearer re_')) {
      res.statusCode = 401;
      res.end(JSON.stringify({ name: 'missing_api_key', message: 'Missing API key', statusCode: 401 }));
      return;
    }
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
      if (body.length > MAX_BODY_BYTES) req.destroy();
    });
    req.on('end', () => {
      const email = JSON.parse(body) as { from: string; to: string | string[]; subject: string; html: string; text: string };
      const id = `email_${sent.length + 1}`;
      for (const to of [email.to].flat()) sent.push({ id, from: email.from, to, subject: email.subject, html: email.html, text: email.text, createdAt: new Date().toISOString() });
      res.end(JSON.stringify({ id }));
    });
    return;
  }
  res.statusCode = 404;
  res.end(JSON.stringify({ name: 'not_found', message: `No route ${req.method} ${url.pathname}`, statusCode: 404 }));
}).listen(port, '127.0.0.1', () => console.log(`Resend-compatible test server on http://127.0.0.1:${port}`));
