/** The route table. Everything but sign-in sits behind RequireSession. */
import { createBrowserRouter } from 'react-router-dom';
import { BrandSettingsPage } from './modules/admin/BrandSettingsPage';
import { DeliveryKeysPage } from './modules/admin/DeliveryKeysPage';
import { UsersPage } from './modules/admin/UsersPage';
import { WebhooksPage } from './modules/admin/WebhooksPage';
import { AssetLibraryPage } from './modules/assets/AssetLibraryPage';
import { AudiencesPage } from './modules/audiences/AudiencesPage';
import { AuditPage } from './modules/audit/AuditPage';
import { ContentTypesPage } from './modules/contentTypes/ContentTypesPage';
import { EntriesPage } from './modules/entries/EntriesPage';
import { EntryPage } from './modules/entries/EntryPage';
import { ExperimentReportPage } from './modules/experiments/ExperimentReportPage';
import { HomeRedirect, Layout, NotFoundPage } from './modules/layout/Layout';
import { RouteError } from './modules/layout/RouteError';
import { PersonDataPage } from './modules/privacy/PersonDataPage';
import { ChangePasswordPage } from './modules/session/ChangePasswordPage';
import { LoginPage } from './modules/session/LoginPage';
import { ReviewQueuePage } from './modules/review/ReviewQueuePage';
import { RequireAdmin, RequireAuditor, RequireSession } from './modules/session/RequireSession';
import { UsagePage } from './modules/usage/UsagePage';
import { VariantEditorPage } from './modules/variants/VariantEditorPage';

/** Vite's base ("/admin/") without its trailing slash. */
const basename = import.meta.env.BASE_URL.replace(/\/$/, '') || '/';

export const router = createBrowserRouter(
  [
    { path: '/login', element: <LoginPage />, errorElement: <RouteError /> },
    {
      path: '/',
      element: (
        <RequireSession>
          <Layout />
        </RequireSession>
      ),
      errorElement: <RouteError />,
      children: [
        { index: true, element: <HomeRedirect /> },
        { path: 'b/:brand/entries', element: <EntriesPage /> },
        { path: 'b/:brand/entries/:key', element: <EntryPage /> },
        { path: 'b/:brand/entries/:key/variants/new', element: <VariantEditorPage /> },
        { path: 'b/:brand/entries/:key/variants/:id', element: <VariantEditorPage /> },
        { path: 'b/:brand/experiments/:id', element: <ExperimentReportPage /> },
        { path: 'b/:brand/content-types', element: <ContentTypesPage /> },
        { path: 'b/:brand/audiences', element: <AudiencesPage /> },
        { path: 'b/:brand/assets', element: <AssetLibraryPage /> },
        { path: 'review', element: <ReviewQueuePage /> },
        { path: 'users', element: <RequireAdmin><UsersPage /></RequireAdmin> },
        { path: 'delivery-keys', element: <RequireAdmin><DeliveryKeysPage /></RequireAdmin> },
        { path: 'b/:brand/settings', element: <RequireAdmin><BrandSettingsPage /></RequireAdmin> },
        { path: 'webhooks', element: <RequireAdmin><WebhooksPage /></RequireAdmin> },
        { path: 'account/password', element: <ChangePasswordPage /> },
        { path: 'usage', element: <RequireAuditor><UsagePage /></RequireAuditor> },
        { path: 'audit', element: <RequireAuditor><AuditPage /></RequireAuditor> },
        { path: 'person-data', element: <RequireAuditor><PersonDataPage /></RequireAuditor> },
        { path: '*', element: <NotFoundPage /> },
      ],
    },
  ],
  { basename },
);
