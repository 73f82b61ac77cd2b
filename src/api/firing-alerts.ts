import type { AlertRow, StoreReader } from '../store/types.js';

const PAGE = 2000;

/** Every firing alert, newest first, a page at a time: between pages ingest keeps its turn. */
export async function* firingAlertPages(store: Pick<StoreReader, 'listAlerts'>): AsyncGenerator<AlertRow[]> {
  let before: number | undefined;
  for (;;) {
    const page = await store.listAlerts({ status: 'firing', limit: PAGE, before });
    yield page;
    if (page.length < PAGE) return;
    before = page[page.length - 1]!.id;
    await new Promise((r) => setImmediate(r));
  }
}
