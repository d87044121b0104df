import { readFileSync } from 'node:fs';

/**
 * Offline checks of the add-in's XML manifest (the official validator posts manifests to an
 * online service). A small strict XML reader plus the rules Outlook enforces that bite most:
 * element order, resids that resolve, HTTPS everywhere, unique ids, requirement sets.
 */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

export function parseXml(xml: string): XmlElement {
  let i = 0;
  const fail = (why: string): never => {
    const line = xml.slice(0, i).split('\n').length;
    throw new Error(`manifest is not well-formed XML (line ${line}): ${why}`);
  };
  const decode = (s: string) => {
    if (/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);)/i.test(s)) fail(`bare & in ${JSON.stringify(s.slice(0, 40))}`);
    return s
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'")
      .replace(/&amp;/g, '&');
  };
  const skipMisc = () => {
    for (;;) {
      const rest = xml.slice(i);
      const ws = /^\s+/.exec(rest);
      if (ws) i += ws[0].length;
      if (xml.startsWith('<?', i)) i = xml.indexOf('?>', i) + 2 || fail('unterminated <?');
      else if (xml.startsWith('<!--', i)) {
        const end = xml.indexOf('-->', i);
        if (end < 0) fail('unterminated comment');
        i = end + 3;
      } else return;
    }
  };
  const element = (): XmlElement => {
    const open = /^<([A-Za-z_][\w.:-]*)/.exec(xml.slice(i)) ?? fail('expected an element');
    const name = open[1]!;
    i += open[0].length;
    const attrs: Record<string, string> = {};
    for (;;) {
      const attr = /^\s+([A-Za-z_][\w.:-]*)\s*=\s*("([^"<]*)"|'([^'<]*)')/.exec(xml.slice(i));
      if (!attr) break;
      if (attr[1]! in attrs) fail(`duplicate attribute ${attr[1]} on <${name}>`);
      attrs[attr[1]!] = decode(attr[3] ?? attr[4] ?? '');
      i += attr[0].length;
    }
    const end = /^\s*(\/?)>/.exec(xml.slice(i)) ?? fail(`bad tag <${name}>`);
    i += end[0].length;
    const el: XmlElement = { name, attrs, children: [], text: '' };
    if (end[1]) return el;
    for (;;) {
      const lt = xml.indexOf('<', i);
      if (lt < 0) fail(`<${name}> is never closed`);
      el.text += decode(xml.slice(i, lt));
      i = lt;
      if (xml.startsWith('<!--', i)) {
        const close = xml.indexOf('-->', i);
        if (close < 0) fail('unterminated comment');
        i = close + 3;
      } else if (xml.startsWith('</', i)) {
        const close = /^<\/([\w.:-]+)\s*>/.exec(xml.slice(i)) ?? fail('bad closing tag');
        if (close[1] !== name) fail(`</${close[1]}> closes <${name}>`);
        i += close[0].length;
        el.text = el.text.trim();
        return el;
      } else el.children.push(element());
    }
  };
  skipMisc();
  const root = element();
  skipMisc();
  if (i < xml.length) fail('content after the root element');
  return root;
}

export const walk = (
  el: XmlElement,
  visit: (e: XmlElement, parents: XmlElement[]) => void,
  parents: XmlElement[] = [],
) => {
  visit(el, parents);
  for (const c of el.children) walk(c, visit, [...parents, el]);
};
const local = (name: string) => name.split(':').pop()!;
const child = (el: XmlElement, name: string) => el.children.find((c) => local(c.name) === name);

/** The base manifest's child order, as the schema fixes it (subset Rapport uses). */
export const BASE_ORDER = [
  'Id',
  'Version',
  'ProviderName',
  'DefaultLocale',
  'DisplayName',
  'Description',
  'IconUrl',
  'HighResolutionIconUrl',
  'SupportUrl',
  'AppDomains',
  'Hosts',
  'Requirements',
  'FormSettings',
  'Permissions',
  'Rule',
  'DisableEntityHighlighting',
  'VersionOverrides',
];

export interface ManifestFacts {
  root: XmlElement;
  baseMailboxVersion: string | undefined;
  /** VersionOverrides xsi:type -> Mailbox DefaultMinVersion. */
  overrides: { type: string; minVersion: string | undefined; pinning: boolean }[];
  urls: string[];
}

export function checkManifest(xml: string): { problems: string[]; facts: ManifestFacts } {
  const problems: string[] = [];
  const root = parseXml(xml);
  if (root.name !== 'OfficeApp') problems.push(`root is <${root.name}>, expected <OfficeApp>`);
  if (root.attrs['xsi:type'] !== 'MailApp') problems.push('OfficeApp xsi:type must be MailApp');

  const order = root.children.map((c) => c.name);
  for (const required of BASE_ORDER) if (!order.includes(required)) problems.push(`missing <${required}>`);
  const positions = order.map((n) => BASE_ORDER.indexOf(n));
  if (positions.includes(-1))
    problems.push(`unexpected elements: ${order.filter((n) => !BASE_ORDER.includes(n)).join(', ')}`);
  if (positions.some((p, k) => k > 0 && p < positions[k - 1]!))
    problems.push(`base elements out of schema order: ${order.join(', ')}`);

  const id = child(root, 'Id')?.text ?? '';
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id))
    problems.push(`Id ${id} is not a GUID`);
  if (!/^\d+(\.\d+){0,3}$/.test(child(root, 'Version')?.text ?? '')) problems.push('Version must look like 1.0.0.0');
  const perms = child(root, 'Permissions')?.text;
  if (!['Restricted', 'ReadItem', 'ReadWriteItem', 'ReadWriteMailbox'].includes(perms ?? ''))
    problems.push(`bad Permissions ${perms}`);

  // URLs: every DefaultValue that is a URL, every AppDomain
  const urls: string[] = [];
  walk(root, (e) => {
    const v = e.attrs.DefaultValue;
    if (v && /^[a-z]+:\/\//i.test(v)) urls.push(v);
    if (e.name === 'AppDomain') urls.push(e.text);
    if (
      ['IconUrl', 'HighResolutionIconUrl', 'SupportUrl', 'SourceLocation'].includes(local(e.name)) &&
      v !== undefined &&
      !/^[a-z]+:\/\//i.test(v)
    ) {
      problems.push(`<${e.name}> DefaultValue is not a URL: ${v}`);
    }
  });
  for (const u of urls) if (!u.startsWith('https://')) problems.push(`URL is not HTTPS: ${u}`);

  // Each VersionOverrides: resids resolve within its own Resources; ids unique
  const overrides: ManifestFacts['overrides'] = [];
  walk(root, (vo) => {
    if (local(vo.name) !== 'VersionOverrides') return;
    const type = vo.attrs['xsi:type'] ?? '?';
    const resources = child(vo, 'Resources');
    const resourceIds = new Map<string, string>();
    if (!resources) problems.push(`${type}: no <Resources>`);
    for (const group of resources?.children ?? []) {
      for (const r of group.children) {
        const rid = r.attrs.id ?? '';
        if (!rid) problems.push(`${type}: resource without id in ${group.name}`);
        if (rid.length > 32) problems.push(`${type}: resource id ${rid} is longer than 32 characters`);
        if (resourceIds.has(rid)) problems.push(`${type}: duplicate resource id ${rid}`);
        resourceIds.set(rid, local(group.name));
      }
    }
    const controlIds = new Set<string>();
    let pinning = false;
    const visitOwn = (e: XmlElement) => {
      if (e !== vo && local(e.name) === 'VersionOverrides') return; // nested override checks itself
      const resid = e.attrs.resid;
      if (resid !== undefined && !resourceIds.has(resid)) problems.push(`${type}: resid ${resid} does not resolve`);
      if (e.attrs.id && local(e.name) !== 'Image' && local(e.name) !== 'Url' && local(e.name) !== 'String') {
        if (controlIds.has(e.attrs.id)) problems.push(`${type}: duplicate id ${e.attrs.id}`);
        controlIds.add(e.attrs.id);
      }
      if (local(e.name) === 'SupportsPinning' && e.text === 'true') pinning = true;
      for (const c of e.children) visitOwn(c);
    };
    visitOwn(vo);
    const sets = child(child(vo, 'Requirements') ?? vo, 'Sets');
    const minVersion = sets?.children.some((s) => s.attrs.Name === 'Mailbox')
      ? sets.attrs.DefaultMinVersion
      : undefined;
    overrides.push({ type, minVersion, pinning });
  });
  for (const o of overrides) {
    if (o.pinning && versionLess(o.minVersion ?? '1.0', '1.5'))
      problems.push(`${o.type}: SupportsPinning needs Mailbox 1.5`);
  }
  const baseSets = child(child(root, 'Requirements') ?? root, 'Sets');
  const baseMailboxVersion = baseSets?.children.find((s) => s.attrs.Name === 'Mailbox')?.attrs.MinVersion;
  if (!baseMailboxVersion) problems.push('base <Requirements> must name the Mailbox set');
  return { problems, facts: { root, baseMailboxVersion, overrides, urls } };
}

export function versionLess(a: string, b: string): boolean {
  const [a1 = 0, a2 = 0] = a.split('.').map(Number);
  const [b1 = 0, b2 = 0] = b.split('.').map(Number);
  return a1 < b1 || (a1 === b1 && a2 < b2);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2] ?? 'manifest.xml';
  const { problems } = checkManifest(readFileSync(file, 'utf8'));
  if (problems.length) {
    console.error(`${file}:\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  console.log(`${file}: OK`);
}
