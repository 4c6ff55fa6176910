import { useEffect, useState, type ReactNode } from 'react';
import { describeError, fetchFile } from '../api';
import { formatSize } from './format';

export type ReportFormat = 'csv' | 'json';

interface Prepared {
  url: string;
  name: string;
  size: number;
}

interface Props {
  /** The report's own inputs, shown before the format choice. */
  children?: ReactNode;
  /** The report's address for a format. */
  url: (format: ReportFormat) => string;
  /** The file name to save it under. */
  fileName: (format: ReportFormat) => string;
  /** Changes whenever the report's inputs do: a prepared file belongs to one set of inputs. */
  inputs: string;
  /** Why the report cannot be asked for now, or null. */
  blocked: string | null;
  /** The prepare button's words for a format. */
  prepareLabel: (format: ReportFormat) => string;
  /** What a failure message starts with. */
  failure: string;
  /** The format radio group's name (unique on the page). */
  name: string;
}

/**
 * A report as a file, CSV or JSON: fetched with the session token (a plain link could not send
 * it), then offered as a link to the downloaded Blob. Object URLs are freed when replaced.
 */
export function ReportDownload({ children, url, fileName, inputs, blocked, prepareLabel, failure, name }: Props) {
  const [format, setFormat] = useState<ReportFormat>('csv');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [file, setFile] = useState<Prepared | null>(null);
  const key = `${inputs}:${format}`;

  useEffect(() => {
    setFile(null);
    setError(null);
  }, [key]);
  useEffect(() => () => { if (file) URL.revokeObjectURL(file.url); }, [file]);

  async function prepare() {
    setBusy(true);
    setError(null);
    setFile(null);
    try {
      const blob = await fetchFile(url(format));
      setFile({ url: URL.createObjectURL(blob), name: fileName(format), size: blob.size });
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <div className="inline-form">
        {children}
        <fieldset className="export-format">
          <legend>Format</legend>
          <label className="radio"><input type="radio" name={name} value="csv" checked={format === 'csv'} onChange={() => setFormat('csv')} /> CSV</label>
          <label className="radio"><input type="radio" name={name} value="json" checked={format === 'json'} onChange={() => setFormat('json')} /> JSON</label>
        </fieldset>
        <button type="button" className="btn btn-primary" disabled={busy || blocked !== null} onClick={() => void prepare()}>
          {busy ? 'Preparing…' : prepareLabel(format)}
        </button>
        {file && (
          <a className="btn" href={file.url} download={file.name}>
            Download {file.name} <span className="muted">({formatSize(file.size)})</span>
          </a>
        )}
      </div>
      {error && <p className="field-error" role="alert">{failure}: {error}</p>}
    </>
  );
}
