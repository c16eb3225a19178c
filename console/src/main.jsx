// The local server's console: GraphiQL against /graphql, acting as a named dev user in one of the
// API's auth modes, and a per-model items view that lists through the API (so the rules apply).
// Built by esbuild into ../dist (make console); served by appsync_data/local/console.py.
import React, { useCallback, useEffect, useMemo, useState } from "react";
import { createRoot } from "react-dom/client";
import { GraphiQL } from "graphiql";
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import "graphiql/graphiql.css";
import "./console.css";

// --- calling the API as the chosen dev user --------------------------------------------------

async function signedHeaders(session, path, body) {
  const { credentials, region } = session;
  const signer = new SignatureV4({
    service: "appsync",
    region,
    sha256: Sha256,
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      sessionToken: credentials.sessionToken,
    },
  });
  const signed = await signer.sign({
    method: "POST",
    protocol: location.protocol,
    hostname: location.hostname,
    port: location.port ? Number(location.port) : undefined,
    path,
    query: {},
    headers: { host: location.host, "content-type": "application/json" },
    body,
  });
  const headers = { ...signed.headers };
  delete headers.host; // the browser sets Host itself (the same value)
  return headers;
}

async function callApi(config, session, request) {
  const body = JSON.stringify(request);
  let headers = { "content-type": "application/json" };
  if (session?.authorization) headers.authorization = session.authorization;
  else if (session?.credentials) headers = await signedHeaders(session, config.graphqlPath, body);
  const response = await fetch(config.graphqlPath, { method: "POST", headers, body });
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    return { errors: [{ errorType: `HTTP ${response.status}`, message: text }] };
  }
}

async function actAs(mode, user) {
  const response = await fetch("/console/token", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ mode, user }),
  });
  const answer = await response.json();
  if (!response.ok) throw new Error(answer.errors?.[0]?.message ?? `HTTP ${response.status}`);
  return answer;
}

// --- the page ---------------------------------------------------------------------------------

function SignIn({ config, session, onSession }) {
  const [mode, setMode] = useState(config.modes[0]?.name ?? "guest");
  const [user, setUser] = useState("alice");
  const [error, setError] = useState(null);
  const guest = mode === "guest";
  const act = async () => {
    setError(null);
    try {
      onSession(await actAs(mode, guest ? "guest" : user));
    } catch (exc) {
      setError(exc.message);
      onSession(null);
    }
  };
  const submit = (event) => {
    event.preventDefault();
    act();
  };
  // A newcomer starts as alice in the API's first mode, so the first query just runs.
  useEffect(() => {
    if (config.minting) act();
  }, []);
  return (
    <form className="console-signin" onSubmit={submit}>
      <label>
        Auth mode{" "}
        <select id="console-mode" value={mode} onChange={(e) => setMode(e.target.value)}>
          {config.modes.map((m) => (
            <option key={m.name} value={m.name}>
              {m.label}
            </option>
          ))}
        </select>
      </label>
      <label>
        User{" "}
        <input
          id="console-user"
          value={guest ? "" : user}
          disabled={guest}
          placeholder={guest ? "no user" : "alice"}
          onChange={(e) => setUser(e.target.value)}
        />
      </label>
      <button id="console-act" type="submit">
        Act as
      </button>
      <span id="console-session" className="console-session">
        {session
          ? `Acting as ${session.user} (${session.mode})`
          : "Nobody yet: choose a mode and a user, then Act as"}
      </span>
      {error && (
        <span id="console-error" className="console-error">
          {error}
        </span>
      )}
    </form>
  );
}

function listQuery(model) {
  return `query ConsoleList($nextToken: String) {
  ${model.listField}(limit: 100, nextToken: $nextToken) {
    items { ${model.fields.join(" ")} }
    nextToken
  }
}`;
}

function sampleQuery(model) {
  if (!model) return "{ __typename }";
  return `# Runs as the user chosen above (Ctrl-Enter or ▶)
query List${model.name}Items {
  ${model.listField}(limit: 10) {
    items { ${model.fields.join(" ")} }
    nextToken
  }
}
`;
}

function Items({ config, session }) {
  const [modelName, setModelName] = useState(config.models[0]?.name);
  const [pages, setPages] = useState({ items: [], nextToken: null, errors: null, loaded: false });
  const model = config.models.find((m) => m.name === modelName);
  const load = async (nextToken = null) => {
    const answer = await callApi(config, session, {
      query: listQuery(model),
      variables: { nextToken },
    });
    const page = answer.data?.[model.listField];
    setPages((before) => ({
      items: [...(nextToken ? before.items : []), ...(page?.items ?? [])],
      nextToken: page?.nextToken ?? null,
      errors: answer.errors ?? null,
      loaded: true,
    }));
  };
  useEffect(() => setPages({ items: [], nextToken: null, errors: null, loaded: false }), [
    modelName,
    session,
  ]);
  if (!model) return <p className="console-items">This API has no models.</p>;
  return (
    <div className="console-items">
      <div className="console-items-bar">
        <select id="console-model" value={modelName} onChange={(e) => setModelName(e.target.value)}>
          {config.models.map((m) => (
            <option key={m.name} value={m.name}>
              {m.name}
            </option>
          ))}
        </select>
        <button id="console-load" type="button" onClick={() => load()}>
          {`Load ${model.listField}`}
        </button>
        {pages.nextToken && (
          <button type="button" onClick={() => load(pages.nextToken)}>
            More
          </button>
        )}
        <span>
          {pages.loaded ? `${pages.items.length} item(s), as ${session?.user ?? "nobody"}` : ""}
        </span>
      </div>
      {pages.errors && (
        <pre id="console-items-errors" className="console-error">
          {JSON.stringify(pages.errors, null, 2)}
        </pre>
      )}
      <table id="console-items-table">
        <thead>
          <tr>
            {model.fields.map((f) => (
              <th key={f}>{f}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {pages.items.map((item, i) => (
            <tr key={item.id ?? i}>
              {model.fields.map((f) => (
                <td key={f}>{item[f] == null ? "" : String(item[f])}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Console({ config }) {
  const [session, setSession] = useState(null);
  const [view, setView] = useState("graphiql");
  const fetcher = useCallback((request) => callApi(config, session, request), [config, session]);
  const initialQuery = useMemo(() => sampleQuery(config.models[0]), [config]);
  // `/?query=…` opens that query (a link to share); otherwise GraphiQL keeps the last tabs.
  const linkedQuery = useMemo(() => new URLSearchParams(location.search).get("query"), []);
  return (
    <div className="console">
      <header className="console-header">
        <strong>appsync-data console</strong>
        <nav>
          {["graphiql", "items"].map((name) => (
            <button
              key={name}
              id={`console-tab-${name}`}
              disabled={view === name}
              onClick={() => setView(name)}
            >
              {name === "graphiql" ? "GraphiQL" : "Items"}
            </button>
          ))}
        </nav>
        <SignIn config={config} session={session} onSession={setSession} />
        {!config.minting && (
          <span className="console-error">
            This server binds a non-loopback address: it mints no dev tokens.
          </span>
        )}
      </header>
      <main className="console-main">
        {view === "graphiql" ? (
          <GraphiQL
            key={session ? `${session.mode}:${session.user}` : "nobody"}
            fetcher={fetcher}
            defaultQuery={initialQuery}
            query={linkedQuery ?? undefined}
            shouldPersistHeaders={false}
          />
        ) : (
          <Items config={config} session={session} />
        )}
      </main>
    </div>
  );
}

async function start() {
  const root = createRoot(document.getElementById("console"));
  try {
    const response = await fetch("/console/config");
    if (!response.ok) throw new Error(`/console/config: HTTP ${response.status}`);
    root.render(<Console config={await response.json()} />);
  } catch (exc) {
    root.render(<p className="console-error">{String(exc)}</p>);
  }
}

start();
