// Tests read JSON answers whose shape their assertions check; let res.json() be untyped there.
declare global {
  interface Response {
    json(): Promise<any>;
  }
}
export {};
