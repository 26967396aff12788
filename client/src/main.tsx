// Entry point: the urql client, the hash router, the page frame.
import { Provider } from '@urql/preact';
import { render } from 'preact';
import { createApiClient } from './api';
import { LandscapeView } from './landscape';
import { LandscapesView } from './landscapes';
import { PathView } from './path';
import { href, useRoute } from './router';
import { RunsView } from './runs';
import { Empty } from './ui';
import './styles.css';

const client = createApiClient();

function Page() {
  const route = useRoute();
  const tab = route.view === 'runs' ? 'runs' : 'landscapes';
  return (
    <>
      <header class="top">
        <a class="brand" href={href.landscapes()}>
          neb-atlas
        </a>
        <span class="tagline">minimum energy paths between minima of neural-network loss landscapes</span>
        <nav>
          <a href={href.landscapes()} class={tab === 'landscapes' ? 'current' : ''}>
            Landscapes
          </a>
          <a href={href.runs()} class={tab === 'runs' ? 'current' : ''}>
            Runs
          </a>
          <a href="/graphql" target="_blank" rel="noreferrer">
            GraphQL
          </a>
        </nav>
      </header>
      <main>
        {route.view === 'landscapes' && <LandscapesView />}
        {route.view === 'landscape' && <LandscapeView key={route.id} id={route.id} />}
        {route.view === 'path' && <PathView key={route.id} id={route.id} />}
        {route.view === 'runs' && <RunsView />}
        {route.view === 'unknown' && (
          <Empty>
            Nothing at <code>{route.hash}</code>. Go to the <a href={href.landscapes()}>landscapes</a> or the <a href={href.runs()}>runs</a>.
          </Empty>
        )}
      </main>
    </>
  );
}

render(
  <Provider value={client}>
    <Page />
  </Provider>,
  document.getElementById('app')!,
);
