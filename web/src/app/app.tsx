import { useEffect, useState } from 'react';

type Readiness = 'checking' | 'ready' | 'unavailable';

/** Placeholder until the real UI lands: proves the server serves the build and the API answers. */
export function App() {
  const [readiness, setReadiness] = useState<Readiness>('checking');
  useEffect(() => {
    fetch('/readyz')
      .then((response) => setReadiness(response.ok ? 'ready' : 'unavailable'))
      .catch(() => setReadiness('unavailable'));
  }, []);
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', margin: '2rem' }}>
      <h1>Switchyard</h1>
      <p>Keeps active/passive server pairs available.</p>
      <p>
        Server: <output aria-label="server readiness">{readiness}</output>
      </p>
    </main>
  );
}
