import type { ConsolePage } from './console.types.ts';
import { loginPage } from './pages/login.page.tsx';
import { dashboardPage } from './pages/dashboard.page.tsx';
import { apiLogPage } from './pages/apilog.page.tsx';
import { usersPage } from './pages/users.page.tsx';
import { accountPage } from './pages/account.page.tsx';
import { tasksPage } from './pages/tasks.page.tsx';
import { jobsPage } from './pages/jobs.page.tsx';
import { ordersPage } from './pages/orders.page.tsx';
import { shippingPage } from './pages/shipping.page.tsx';
import { invoicesPage } from './pages/invoices.page.tsx';
import { packageTypesPage } from './pages/package-types.page.tsx';
import { productsPage } from './pages/products.page.tsx';
import { batchesPage } from './pages/batches.page.tsx';
import { connectionsPage } from './pages/connections.page.tsx';
import { webhooksPage } from './pages/webhooks.page.tsx';
import { queuePage } from './pages/queue.page.tsx';

/** Every console page, in one list (menu order is each page's `nav.order`). Add yours here. */
export const CONSOLE_PAGES: ConsolePage[] = [
  loginPage,
  dashboardPage,
  ordersPage,
  shippingPage,
  invoicesPage,
  packageTypesPage,
  queuePage,
  productsPage,
  batchesPage,
  tasksPage,
  jobsPage,
  apiLogPage,
  connectionsPage,
  webhooksPage,
  usersPage,
  accountPage,
];
