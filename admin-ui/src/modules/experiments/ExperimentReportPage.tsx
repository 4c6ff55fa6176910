/**
 * One experiment's report: per arm the people (or answers), converters and rate with its interval
 * (a chart, and the same in a table), uplift against the control, the chances to beat the control
 * and to be best, the sample-ratio warning and the decision sentence.
 */
import { Link, useParams } from 'react-router-dom';
import { ExperimentReportDocument, ExperimentsDocument, useQuery, type ExperimentReportQuery } from '../../api';
import { ErrorBox } from '../../ui/ErrorBox';
import { formatDateTime } from '../../ui/format';
import { Loading } from '../../ui/Loading';
import { paths } from '../entries/paths';
import { useBrand } from '../session/SessionContext';
import { STATUS_LABEL } from './actions';
import { ExperimentActions } from './ExperimentActions';
import {
  armLabel, armServes, intervalChartData, intervalText, percent, probabilityText, pValueText, signedPercent, srmWarning, unitWord,
} from './format';
import { ReportChart } from './ReportChart';
import './experiments.css';

type Report = ExperimentReportQuery['experimentReport'];

export function ExperimentReportPage() {
  const { brand: slug = '', id = '' } = useParams();
  const brand = useBrand(slug);
  const q = useQuery(ExperimentReportDocument, { id });
  const report = q.data?.experimentReport;
  const siblings = useQuery(ExperimentsDocument, { brand: slug, entry: report?.experiment.entry.key ?? '' }, { skip: !report });

  if (q.loading && !q.data) return <Loading what="Loading the report" />;
  if (q.error || !report) return <section className="page"><h1>Experiment report</h1><ErrorBox error={q.error} onRetry={q.reload} /></section>;
  const e = report.experiment;
  const running = siblings.data?.experiments.find((x) => x.status === 'RUNNING');
  const reload = () => {
    void q.reload();
    void siblings.reload();
  };

  return (
    <section className="page">
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <Link to={paths.entries(slug)}>Entries</Link> / <Link to={paths.entry(slug, e.entry.key)}>{e.entry.key}</Link> / <span aria-current="page">{e.name}</span>
      </nav>
      <div className="page-head">
        <h1>Experiment “{e.name}”</h1>
        <button type="button" className="btn" onClick={reload} disabled={q.loading}>{q.loading ? 'Refreshing…' : 'Refresh figures'}</button>
      </div>
      <ExperimentFacts report={report} />
      {brand && (
        <ExperimentActions experiment={e} requireApproval={brand.policy.requireApproval} otherRunning={!!running && running.id !== e.id} onChanged={reload} />
      )}
      <section aria-labelledby="exp-decision-title">
        <h2 id="exp-decision-title">Decision</h2>
        <p className="exp-decision">{report.decision}</p>
        {report.sampleRatioMismatch && (
          <div className="exp-srm" role="alert">
            <strong>Sample ratio mismatch. </strong>
            {srmWarning(report.arms, report.srmPValue, e.mode)}
          </div>
        )}
      </section>
      <ArmResults report={report} />
    </section>
  );
}

function ExperimentFacts({ report }: { report: Report }) {
  const e = report.experiment;
  return (
    <dl className="exp-meta card">
      <dt>Status</dt><dd><span className={`badge exp-badge-${e.status.toLowerCase()}`}>{STATUS_LABEL[e.status]}</span>{e.winner ? ` · winner: ${e.winner.name}` : ''}</dd>
      {e.hypothesis && <><dt>Hypothesis</dt><dd>{e.hypothesis}</dd></>}
      <dt>Goal</dt><dd>{e.goal === 'CLICK' ? 'a click' : 'a conversion'}</dd>
      <dt>Mode</dt><dd>{e.mode === 'FIXED' ? 'fixed split: each person keeps one arm, people are counted' : 'bandit: traffic moves to the better arm, answers are counted'}</dd>
      <dt>Audience</dt><dd>{e.audienceText}</dd>
      <dt>Minimum per arm</dt><dd>{e.minPeoplePerArm} {unitWord(e.mode).plural}</dd>
      <dt>Started</dt><dd>{e.startedAt ? formatDateTime(e.startedAt) : 'not yet'}</dd>
      {e.stoppedAt && <><dt>Stopped</dt><dd>{formatDateTime(e.stoppedAt)}</dd></>}
    </dl>
  );
}

function ArmResults({ report }: { report: Report }) {
  const unit = unitWord(report.experiment.mode);
  const chart = intervalChartData(report.arms);
  const summary = `Rate per arm with its 95 % interval: ${report.arms
    .map((a, i) => `${armLabel(a.arm, i)} ${percent(a.rate)} (${intervalText(a.rateLow, a.rateHigh)})`).join('; ')}. The table below gives every figure.`;
  return (
    <section aria-labelledby="exp-results-title">
      <h2 id="exp-results-title">Results per arm</h2>
      <ReportChart data={chart} summary={summary} />
      {/* Focusable so keyboard users can scroll the wide table sideways on small screens. */}
      <div className="table-wrap" tabIndex={0} role="region" aria-label="Results per arm (scrolls sideways)">
        <table className="table exp-table" aria-label="Results per arm">
          <thead>
            <tr>
              <th scope="col">Arm</th><th scope="col">Serves</th><th scope="col">{unit.title}</th><th scope="col">Converters</th>
              <th scope="col">Rate</th><th scope="col">95 % interval</th><th scope="col">Uplift vs control</th><th scope="col">Uplift interval</th>
              <th scope="col">p-value</th><th scope="col">Chance to beat control</th><th scope="col">Chance to be best</th>
              <th scope="col">Traffic share</th><th scope="col">Conversion value</th>
            </tr>
          </thead>
          <tbody>
            {report.arms.map((a, i) => (
              <tr key={a.arm.id}>
                <th scope="row">{armLabel(a.arm, i)}</th>
                <td>{armServes(a.arm)}</td>
                <td>{a.people}</td>
                <td>{a.converters}</td>
                <td>{percent(a.rate)}</td>
                <td>{intervalText(a.rateLow, a.rateHigh)}</td>
                <td>{signedPercent(a.uplift)}</td>
                <td>{intervalText(a.upliftLow, a.upliftHigh, true)}</td>
                <td>{pValueText(a.pValue)}</td>
                <td>{probabilityText(a.probabilityToBeatControl)}</td>
                <td>{probabilityText(a.probabilityBest)}</td>
                <td>{percent(a.weight, 0)}</td>
                <td>{a.conversionValue.toFixed(2)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
