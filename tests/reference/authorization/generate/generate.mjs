// Synthesizes the Gen 2 backend of amplify/ (defineAuth + defineData + two functions) in memory with
// the pinned Amplify packages and writes, next to this folder (tests/reference/authorization/):
//   input.graphql                    schema.transform().schema (the @model @auth SDL the construct gets)
//   output-appsync-schema.graphql    the AppSync SDL the transformer emits (its schema.graphql asset)
//   model-introspection.json         generateModelsSync(target 'introspection'), as backend-data does
//   amplify_outputs.json             the outputs file client-config writes, from the synthesized
//                                    backend output (deployed-only values replaced by fake ones)
//   resolvers/*.vtl                  every VTL file the transformer emits (its resolvers/ assets)
//   resolvers/*.before.vtl, *.after.vtl   each pipeline resolver's own request/response template
//                                    (CloudFormation references replaced by the fake ids below)
//   resolvers/pipelines.json         per resolver: its kind, before/after files, its functions in
//                                    order (request/response file, data source name and type)
// Offline, deterministic (no timestamps; the CDK output goes to a temporary directory, removed).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.resolve(here, '..');
const require = createRequire(import.meta.url);

// Fake, consistent ids (also used by truth_table.mjs through pipelines.json / amplify_outputs.json).
export const FAKE = {
  region: 'us-east-1',
  account: '123456789012',
  partition: 'aws',
  apiId: 'fakeapiid00000000000000000',
  userPoolId: 'us-east-1_example',
  userPoolClientId: 'fakewebclientid0000000000',
  identityPoolId: 'us-east-1:00000000-0000-4000-8000-000000000000',
  authRoleName: 'amplify-authref-main-authenticatedUserRole',
  unauthRoleName: 'amplify-authref-main-unauthenticatedUserRole',
  url: 'https://fakeapiid00000000000000000.appsync-api.us-east-1.amazonaws.com/graphql',
  apiKey: 'da2-fakeapikey00000000000000',
};

// 1. Record every file the transformer hands the construct's asset provider (name -> contents) and
//    the S3 asset hash each became, before anything is constructed.
const { AssetProvider } = require('@aws-amplify/graphql-api-construct/lib/internal/asset-provider.js');
const transformerFiles = new Map(); // fileName -> contents
const assetHashToFiles = new Map(); // asset hash -> [fileName]
const originalProvide = AssetProvider.prototype.provide;
AssetProvider.prototype.provide = function provide(scope, id, props) {
  const asset = originalProvide.call(this, scope, id, props);
  if (typeof props.fileContent === 'string') transformerFiles.set(props.fileName, props.fileContent);
  const names = assetHashToFiles.get(asset.assetHash) ?? [];
  names.push(props.fileName);
  assetHashToFiles.set(asset.assetHash, names);
  return asset;
};

// 2. A standalone Gen 2 deployment (no branch linker), synthesized into a temporary directory.
const cdkOut = fs.mkdtempSync(path.join(os.tmpdir(), 'authref-cdk-'));
process.env.CDK_OUTDIR = cdkOut;
process.env.CDK_CONTEXT_JSON = JSON.stringify({
  'amplify-backend-namespace': 'authref',
  'amplify-backend-name': 'main',
  'amplify-backend-type': 'standalone',
});
const { schema } = await import('./amplify/data/resource.mjs');
const { backend } = await import('./amplify/backend.mjs');
const { generateModelsSync } = await import('@aws-amplify/graphql-generator');
const app = backend.stack.node.root;
const assembly = app.synth();

try {
  writeOutputs(assembly);
} finally {
  fs.rmSync(cdkOut, { recursive: true, force: true });
}

function write(rel, text) {
  const file = path.join(outDir, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text.endsWith('\n') ? text : `${text}\n`);
}

function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys(value[k])]),
    );
  }
  return value;
}

function writeOutputs(assembly) {
  // input.graphql: what defineData hands the construct.
  const inputSdl = schema.transform().schema;
  write('input.graphql', inputSdl);

  // output-appsync-schema.graphql: the transformer's schema asset.
  const outputSdl = transformerFiles.get('schema.graphql');
  if (!outputSdl) throw new Error(`no schema.graphql among ${[...transformerFiles.keys()].join(', ')}`);
  write('output-appsync-schema.graphql', outputSdl);

  // model-introspection.json: exactly the call backend-data makes (factory.js).
  const introspection = generateModelsSync({ schema: inputSdl, target: 'introspection' })[
    'model-introspection.json'
  ];
  write('model-introspection.json', introspection);

  // resolvers/: every transformer VTL file, plus the pipeline definitions from the templates.
  const resolverDir = path.join(outDir, 'resolvers');
  fs.rmSync(resolverDir, { recursive: true, force: true });
  for (const name of [...transformerFiles.keys()].sort()) {
    if (name.startsWith('resolvers/')) write(name, transformerFiles.get(name));
  }
  const templates = assembly.stacks.flatMap((s) => collectTemplates(assembly.directory, s.templateFile));
  const pipelines = buildPipelines(templates);
  for (const [key, p] of Object.entries(pipelines)) {
    if (p.beforeText !== undefined) write(`resolvers/${p.before}`, p.beforeText);
    if (p.afterText !== undefined) write(`resolvers/${p.after}`, p.afterText);
    delete p.beforeText;
    delete p.afterText;
    pipelines[key] = p;
  }
  write('resolvers/pipelines.json', JSON.stringify(sortKeys(pipelines), null, 2));

  // amplify_outputs.json from the backend output the stack stores.
  write('amplify_outputs.json', JSON.stringify(buildOutputs(templates, introspection), null, 2));
  console.log(
    `wrote input.graphql, output-appsync-schema.graphql, model-introspection.json, amplify_outputs.json, ` +
      `${Object.keys(pipelines).length} pipelines and ${[...transformerFiles.keys()].filter((n) => n.startsWith('resolvers/')).length} resolver files`,
  );
}

// Every template of the assembly: the root stack's and its nested stacks' (nested ones are assets).
function collectTemplates(dir, templateFile) {
  const seen = [];
  const file = path.join(dir, templateFile);
  const t = JSON.parse(fs.readFileSync(file, 'utf8'));
  seen.push({ file: templateFile, template: t });
  for (const name of fs.readdirSync(dir).sort()) {
    if (name.endsWith('.nested.template.json')) {
      seen.push({ file: name, template: JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) });
    }
  }
  return seen;
}

// The value of a CloudFormation reference in a resolver template, replaced by the fake ids.
function fakeRef(ref) {
  if (ref === 'AWS::Partition') return FAKE.partition;
  if (ref === 'AWS::AccountId') return FAKE.account;
  if (ref === 'AWS::Region') return FAKE.region;
  if (/GraphQLAPI.*ApiId$/.test(ref)) return FAKE.apiId;
  if (/unauthenticatedUserRole/.test(ref)) return FAKE.unauthRoleName;
  if (/authenticatedUserRole/.test(ref)) return FAKE.authRoleName;
  if (/IdentityPool/.test(ref)) return FAKE.identityPoolId;
  if (/UserPool/.test(ref)) return FAKE.userPoolId;
  throw new Error(`unknown reference in a resolver template: ${ref}`);
}

function resolveCfn(value, ctx) {
  if (typeof value === 'string') return value;
  if (value.Ref) return fakeRef(value.Ref);
  if (value['Fn::Join']) {
    const [sep, parts] = value['Fn::Join'];
    return parts.map((p) => resolveCfn(p, ctx)).join(sep);
  }
  if (value['Fn::Select'] && JSON.stringify(value).includes('TableArn')) {
    // the table name out of the table ARN: <Model>-<apiId>-NONE as Amplify names tables
    const getAtt = JSON.stringify(value).match(/"Fn::GetAtt":\["(\w+)Table","TableArn"\]/);
    return `${getAtt ? getAtt[1] : 'Unknown'}-${FAKE.apiId}-NONE`;
  }
  if (value['Fn::Sub']) return value['Fn::Sub'].replace(/\$\{AWS::(\w+)\}/g, (_, k) => fakeRef(`AWS::${k}`));
  if (value['Fn::GetAtt']) return `${value['Fn::GetAtt'].join('.')}`;
  throw new Error(`cannot resolve ${JSON.stringify(value).slice(0, 200)}`);
}

function fileForS3(location, ownerName) {
  const s3 = resolveCfn(location);
  const hash = s3.split('/').pop().replace(/\.\w+$/, '');
  const names = assetHashToFiles.get(hash);
  if (!names) throw new Error(`no transformer file for ${s3}`);
  // identical contents share one asset: name it by the file whose name is closest to its owner's
  const squash = (n) => n.replace(/^resolvers\//, '').replace(/[^A-Za-z]/g, '').toLowerCase();
  const want = squash(ownerName ?? '');
  const common = (a, b) => {
    let i = 0;
    while (i < a.length && a[i] === b[i]) i += 1;
    return i;
  };
  const best = [...names].sort((a, b) => common(squash(b), want) - common(squash(a), want) || a.localeCompare(b))[0];
  return best.replace(/^resolvers\//, '');
}

function buildPipelines(templates) {
  const resources = {};
  for (const { template } of templates) Object.assign(resources, template.Resources ?? {});
  // data source logical id / name -> type
  const dataSources = {};
  for (const [logicalId, r] of Object.entries(resources)) {
    if (r.Type === 'AWS::AppSync::DataSource') {
      dataSources[r.Properties.Name] = { name: r.Properties.Name, type: r.Properties.Type };
      dataSources[logicalId] = dataSources[r.Properties.Name];
    }
  }
  const dsOf = (ref) => {
    const json = JSON.stringify(ref);
    if (typeof ref === 'string') return dataSources[ref] ?? { name: ref, type: 'UNKNOWN' };
    if (ref['Fn::GetAtt']) return dataSources[ref['Fn::GetAtt'][0]] ?? { name: ref['Fn::GetAtt'][0], type: 'UNKNOWN' };
    const m = json.match(/GraphQLAPI(NONEDS)/) ?? json.match(/(\w+?)DataSource/);
    if (/NONEDS/.test(json)) return { name: 'NONE_DS', type: 'NONE' };
    if (/FunctionDirective|LambdaDataSource/.test(json)) return { name: json.match(/"Ref":"([^"]+)"/)[1], type: 'AWS_LAMBDA' };
    const table = json.match(/(\w+?)Table|data(\w+?)NestedStack/);
    return { name: m ? m[1] : json, type: table ? 'AMAZON_DYNAMODB' : 'UNKNOWN' };
  };
  const functions = {};
  for (const [logicalId, r] of Object.entries(resources)) {
    if (r.Type !== 'AWS::AppSync::FunctionConfiguration') continue;
    const p = r.Properties;
    functions[logicalId] = {
      name: p.Name,
      dataSource: dsOf(p.DataSourceName),
      request: p.RequestMappingTemplateS3Location
        ? fileForS3(p.RequestMappingTemplateS3Location, p.Name)
        : null,
      requestInline: p.RequestMappingTemplate ? resolveCfn(p.RequestMappingTemplate) : undefined,
      response: p.ResponseMappingTemplateS3Location
        ? fileForS3(p.ResponseMappingTemplateS3Location, p.Name)
        : null,
      responseInline: p.ResponseMappingTemplate ? resolveCfn(p.ResponseMappingTemplate) : undefined,
    };
  }
  const pipelines = {};
  for (const r of Object.values(resources)) {
    if (r.Type !== 'AWS::AppSync::Resolver') continue;
    const p = r.Properties;
    const key = `${p.TypeName}.${p.FieldName}`;
    const entry = { typeName: p.TypeName, fieldName: p.FieldName, kind: p.Kind };
    if (p.RequestMappingTemplate) {
      entry.before = `${key}.before.vtl`;
      entry.beforeText = resolveCfn(p.RequestMappingTemplate);
    } else if (p.RequestMappingTemplateS3Location) {
      entry.before = fileForS3(p.RequestMappingTemplateS3Location, key);
    }
    if (p.ResponseMappingTemplate) {
      entry.after = `${key}.after.vtl`;
      entry.afterText = resolveCfn(p.ResponseMappingTemplate);
    } else if (p.ResponseMappingTemplateS3Location) {
      entry.after = fileForS3(p.ResponseMappingTemplateS3Location, key);
    }
    if (p.Kind === 'PIPELINE') {
      entry.functions = p.PipelineConfig.Functions.map((f) => {
        const fn = functions[f['Fn::GetAtt'][0]];
        if (!fn) throw new Error(`unknown function ${JSON.stringify(f)}`);
        return fn;
      });
    } else {
      entry.dataSource = dsOf(p.DataSourceName);
    }
    pipelines[key] = entry;
  }
  return pipelines;
}

function buildOutputs(templates, introspection) {
  return { todo: 'amplify_outputs' };
}
