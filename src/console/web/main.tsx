import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';

interface Viewer {
  person: string | null;
  name: string;
  open: boolean;
}

function App() {
  const [viewer, setViewer] = useState<Viewer | null | 'signed-out'>(null);
  useEffect(() => {
    void fetch('/api/v1/session', { credentials: 'same-origin' }).then(async (r) => setViewer(r.ok ? ((await r.json()) as Viewer) : 'signed-out'));
  }, []);
  if (viewer === null) return <p>…</p>;
  if (viewer === 'signed-out') return <p>Sign in</p>;
  return <h1>Vigil — {viewer.name}</h1>;
}

const root = document.getElementById('app');
if (root) render(<App />, root);
