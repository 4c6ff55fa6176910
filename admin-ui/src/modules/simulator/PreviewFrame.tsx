import { useLayoutEffect, useRef, useState } from 'react';
import type { ContentTypesQuery, Device } from '../../api';
import { FRAME } from './context';

type FieldDef = ContentTypesQuery['contentTypes'][number]['fields'][number];

interface Props {
  device: Device;
  fields: Record<string, unknown>;
  defs: FieldDef[];
}

const TITLE_NAMES = ['title', 'headline', 'heading', 'name'];

function FieldValue({ def, value, device }: { def: FieldDef | undefined; value: unknown; device: Device }) {
  if (value === null || value === undefined) return <span className="muted">—</span>;
  switch (def?.kind) {
    case 'ASSET':
      return <img src={`/assets/${encodeURIComponent(String(value))}/${device.toLowerCase()}.webp`} alt="" className="preview-img" />;
    case 'URL':
      return <a href={String(value)} target="_blank" rel="noreferrer noopener">{String(value)}</a>;
    case 'RICH_TEXT':
      return <div className="preview-rich">{String(value).split(/\n{2,}/).map((p, i) => <p key={i}>{p}</p>)}</div>;
    case 'BOOLEAN':
      return <span>{value ? 'yes' : 'no'}</span>;
    case 'JSON':
      return <pre className="mono">{JSON.stringify(value, null, 2)}</pre>;
    default:
      return <span>{typeof value === 'string' ? value : JSON.stringify(value)}</span>;
  }
}

/** The winner's fields laid out in a frame the size of the device, scaled to fit. */
export function PreviewFrame({ device, fields, defs }: Props) {
  const size = FRAME[device];
  const outer = useRef<HTMLDivElement>(null);
  const [scale, setScale] = useState(1);

  useLayoutEffect(() => {
    const el = outer.current;
    if (!el) return;
    const fit = () => setScale(Math.min(1, el.clientWidth / size.width));
    fit();
    const ro = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(fit);
    ro?.observe(el);
    return () => ro?.disconnect();
  }, [size.width]);

  const titleKey = Object.keys(fields).find((k) => TITLE_NAMES.includes(k.toLowerCase()));
  const rest = Object.keys(fields).filter((k) => k !== titleKey);
  return (
    <figure className="frame-figure">
      <figcaption className="muted">{device.toLowerCase()} · {size.width}×{size.height}{scale < 1 ? ` · shown at ${Math.round(scale * 100)}%` : ''}</figcaption>
    <div ref={outer} className="frame-outer" style={{ height: size.height * scale }}>
      <div
        className={`device-frame device-${device.toLowerCase()}`}
        style={{ width: size.width, height: size.height, transform: `scale(${scale})` }}
      >
        <div className="frame-body">
          {titleKey && <h3 className="preview-title">{String(fields[titleKey])}</h3>}
          {rest.map((k) => (
            <div key={k} className="preview-field">
              <div className="preview-label">{k}</div>
              <FieldValue def={defs.find((d) => d.name === k)} value={fields[k]} device={device} />
            </div>
          ))}
        </div>
      </div>
    </div>
    </figure>
  );
}
