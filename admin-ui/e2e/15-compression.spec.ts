import { expect, test, ui } from './fixtures';

for (const width of [1440, 390]) {
  test.describe(`at ${width} px`, () => {
    test.use({ viewport: { width, height: 900 } });

    test('the first load comes compressed, and HEAD /admin/ answers like GET', async ({ page, request }) => {
      const assets: { url: string; encoding: string | undefined; vary: string | undefined }[] = [];
      page.on('response', async (res) => {
        if (res.url().includes('/admin/assets/')) {
          const h = await res.allHeaders();
          assets.push({ url: res.url(), encoding: h['content-encoding'], vary: h['vary'] });
        }
      });
      await page.goto(ui('login'));
      await expect(page.getByLabel('Email')).toBeVisible();
      expect(assets.length).toBeGreaterThanOrEqual(2);
      for (const a of assets) {
        expect(['br', 'gzip'], a.url).toContain(a.encoding);
        expect(a.vary, a.url).toBe('Accept-Encoding');
      }
      const script = assets.find((a) => a.url.endsWith('.js'))!.url;
      const br = await request.get(script, { headers: { 'accept-encoding': 'br' } });
      expect(br.headers()['content-encoding']).toBe('br');
      const head = await request.head(ui(''));
      expect(head.status()).toBe(200);
      expect(head.headers()['content-type']).toContain('text/html');
    });
  });
}
