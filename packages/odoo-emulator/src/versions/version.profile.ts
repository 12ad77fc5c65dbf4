/**
 * Everything that differs between the Odoo versions the emulator plays, in one place: version strings, transports,
 * error texts and behaviour switches. Each value is what the recordings of that version show
 * (`recordings/odoo17|18|19/`).
 */
import { pyRepr } from '../orm/pyrepr.ts';

export type OdooVersion = 17 | 18 | 19;

export interface VersionProfile {
  major: OdooVersion;
  serverVersion: string;
  versionInfo: [number, number, number, string, number, string];
  /** JSON-RPC error envelope: `code` and whether `debug` comes second (17/18) or last (19). */
  rpcErrorCode: number;
  debugSecond: boolean;
  /** 19 serves JSON-2 and `GET /web/version`; 18 redirects `/json/2` to the login page; 17 answers 404. */
  json2: 'serve' | 'redirect' | 'not-found';
  webVersionRoute: boolean;
  /** Status of a non-JSON content type (or GET) on `/jsonrpc`. */
  jsonrpcBadTypeStatus: number;
  /** Methods that exist in this version beyond the common ones. */
  nameGet: boolean;
  sudoPublic: boolean;
  hasAccess: boolean;
  /** 17: `has_group(group)` checks the calling user; 18+: `has_group` is a record method `(ids, group)`. */
  hasGroupOnRecords: boolean;
  checkAccessPrivate: boolean;
  formattedReadGroup: boolean;
  /** name_search's domain parameter: `args` (17/18) or `domain` (19). */
  nameSearchDomainParam: 'args' | 'domain';
  /** 18+: an uninstalled `lang` in the context is a UserError. */
  langMustBeInstalled: boolean;
  /** Stock context key naming a warehouse. */
  warehouseContextKey: 'warehouse' | 'warehouse_id';
  /** 18+: the multi-company AccessError says which company to switch to. */
  suggestCompany: boolean;
  /** 17/18: action_cancel on a confirmed order returns the sale.order.cancel wizard. */
  cancelWizard: boolean;
  /** 18: the delivery's origin is "<order> - <client_order_ref>". */
  deliveryOriginWithRef: boolean;
  /** 19: domain datetimes with a T/Z/offset are refused; 17/18 accept them (the offset is ignored). */
  naiveDatetimesOnly: boolean;
  /** 19: methods returning records answer id lists (message_post); 17/18: an int. */
  recordsAsIdLists: boolean;
  /** 17: writing a missing id is not an error except on models whose write reads the record first. */
  writeMissingIsError: (model: string) => boolean;
  /** 17: `type`/`detailed_type` with `product`; 18+: `consu` + `is_storable`. */
  storableByType: boolean;
  /** 18+: locking an order is tracked in the chatter. */
  trackLocked: boolean;
  /** 19 keeps `price_unit` unrounded on sale lines; 17/18 round it to 2 digits. */
  salePriceDigits: number | null;
  /** Delivery, packing and validation (flows/c_delivery_pack_validate.json). */
  stock: StockProfile;
  /** Invoicing, credit notes and the invoice report (flows/d_invoice.json, odoo-invoice-pdf.md). */
  invoicing: InvoicingProfile;
  messages: Messages;
  /** Groups named by the AccessError of each model/operation (text as the version prints it). */
  aclGroups: Record<string, string[]>;
}

export interface StockProfile {
  /** 17/18 `stock.quant.package`, 19 `stock.package` (renamed). */
  packageModel: 'stock.quant.package' | 'stock.package';
  /** The put-in-pack wizard a carrier (or the operation type) asks for: 17/18 stock_delivery's, 19 stock's own. */
  packWizard: 'choose.delivery.package' | 'stock.put.in.pack';
  /** 17/18: the `choose.delivery.package` form view the wizard action names (an id of the recorded database). */
  chooseDeliveryPackageViewId: number | null;
  /** 19: the `stock.action_put_in_pack_wizard` action record (id of the recorded database). */
  putInPackActionId: number | null;
  /** 17/18: a package level (`stock.package_level`) is created per package put in a picking; 19 has none. */
  packageLevels: boolean;
  /** 19: a package type with its own sequence names its packages (BOX0000001); 17/18 always PACK0000001. */
  packageNamesByType: boolean;
  /** 17: button_validate on a done picking is the "no quantities" UserError; 18/19 skip done pickings (true). */
  validateSkipsDone: boolean;
  /** 17: the delivery an order confirmation creates is written by the superuser (its chatter author is OdooBot). */
  procurementAsSuperuser: boolean;
  /** 17: the carrier margin is a percentage (price × (1 + margin/100)); 18/19 a fraction plus a fixed margin. */
  carrierMarginPercent: boolean;
  /** UserError texts of validation and packing. */
  noQuantitiesError: string;
  emptyTransferError: string;
  nothingToPackError: string;
}

export interface InvoicingProfile {
  /** The name of a move before it is posted: 17 "/", 18/19 false. */
  draftName: '/' | false;
  /** The demo company's sales journal (id 1) as the recordings name it. */
  salesJournalName: string;
  /** The demo company's income account (id, display name) the invoice lines carry. */
  incomeAccount: [number, string];
  /** Accounts are displayed "code name" (17/18) or by name (19). */
  accountDisplayWithCode: boolean;
  /** `create_invoices` answers `sale.order.action_view_invoice`: `account.action_move_out_invoice_type` as the recorded
   * database reads it (its ids are that database's); `res_id`, `context` and `views` are filled in per call. */
  invoiceAction: Record<string, unknown>;
  /** 17/18: the action's context names the order (`default_invoice_origin`); 19 does not. */
  actionContextOrigin: boolean;
  /** `account.move.reversal` on a move that is not posted (wizard default_get). */
  reverseNotPostedError: string;
  /** The list view type in window actions: 17 `tree`, 18/19 `list`. */
  listViewType: 'tree' | 'list';
  /** The name of the `account.account_invoices` report (17 "Invoices", 18/19 "Invoice PDF"). */
  invoiceReportName: string;
}

export interface Messages {
  unknownMethod(model: string, method: string): string;
  privateMethod(model: string, method: string): string;
  invalidField(model: string, field: string): string;
  invalidFieldInVals(model: string, field: string): { name: string; message: string };
  invalidFieldInWrite(model: string, field: string): { name: string; message: string };
  invalidFieldInDomain(model: string, field: string, leaf: unknown[]): string;
  leafArity(item: unknown[]): { name: string; message: string };
  invalidOperator(leaf: unknown[]): string;
  malformedDomain(domain: unknown[]): string;
  domainNotList(domain: unknown): { name: string; message: string };
  datetimeWithZone(value: string): string;
  requiredMissing(modelDesc: string, model: string, fieldDesc: string, field: string): string;
  foreignKey(modelDesc: string, model: string, field: string, fieldDesc: string): string;
  confirmRefused(names: string[]): string;
  barcodeJoin: string;
}

const messages17: Messages = {
  unknownMethod: (model, method) => `The method '${method}' does not exist on the model '${model}'`,
  privateMethod: (_model, method) => `Private methods (such as ${method}) cannot be called remotely.`,
  invalidField: (model, field) => `Invalid field ${pyRepr(field)} on model ${pyRepr(model)}`,
  invalidFieldInVals: (model, field) => ({ name: 'builtins.ValueError', message: `Invalid field ${pyRepr(field)} on model ${pyRepr(model)}` }),
  invalidFieldInWrite: (model, field) => ({ name: 'builtins.ValueError', message: `Invalid field ${pyRepr(field)} on model ${pyRepr(model)}` }),
  invalidFieldInDomain: (model, field, leaf) => `Invalid field ${model}.${field} in leaf ${pyRepr(leaf, true)}`,
  leafArity: (item) => ({ name: 'builtins.ValueError', message: item.length < 3 ? `not enough values to unpack (expected 3, got ${item.length})` : `too many values to unpack (expected 3)` }),
  invalidOperator: (leaf) => `Invalid leaf ${pyRepr(leaf, true)}`,
  malformedDomain: (domain) => `Domain ${pyRepr(domain)} is syntactically not correct.`,
  domainNotList: () => ({ name: 'builtins.AssertionError', message: "Domains to normalize must have a 'domain' form: a list or tuple of domain components" }),
  datetimeWithZone: (value) => `expecting only datetimes with no timezone: ${pyRepr(value)}`,
  requiredMissing: (modelDesc, model, fieldDesc, field) =>
    `The operation cannot be completed:\n- Create/update: a mandatory field is not set.\n- Delete: another model requires the record being deleted. If possible, archive it instead.\n\nModel: ${modelDesc} (${model})\nField: ${fieldDesc} (${field})\n`,
  foreignKey: (modelDesc, model, field) =>
    `The operation cannot be completed: another model requires the record being deleted. If possible, archive it instead.\n\nModel: ${modelDesc} (${model})\nConstraint: ${model.replace(/\./g, '_')}_${field}_fkey\n`,
  confirmRefused: (names) => `The following orders are not in a state requiring confirmation: ${names.join(', ')}`,
  barcodeJoin: ', ',
};

const messages18: Messages = {
  ...messages17,
  unknownMethod: (model, method) => `The method '${model}.${method}' does not exist`,
  privateMethod: (model, method) => `Private methods (such as '${model}.${method}') cannot be called remotely.`,
  confirmRefused: () => 'Some orders are not in a state requiring confirmation.',
  barcodeJoin: ' and ',
};

const messages19: Messages = {
  ...messages18,
  invalidField: (model, field) => `Invalid field ${pyRepr(field)} on ${pyRepr(model)}`,
  invalidFieldInVals: (model, field) => ({ name: 'builtins.ValueError', message: `Invalid field ${pyRepr(field)} in ${pyRepr(model)}` }),
  invalidFieldInWrite: (_model, field) => ({ name: 'builtins.KeyError', message: field }),
  invalidFieldInDomain: (model, field, leaf) => `Invalid field ${model}.${field} in condition ${pyRepr(leaf, true)}`,
  leafArity: (item) => ({ name: 'builtins.ValueError', message: `Domain() invalid item in domain: ${pyRepr(item)}` }),
  invalidOperator: (leaf) => `Invalid operator in condition ${pyRepr(leaf, true)}`,
  malformedDomain: (domain) => `Domain() malformed domain ${pyRepr(domain)}`,
  domainNotList: (domain) => ({ name: 'builtins.TypeError', message: `Domain() invalid argument type for domain: ${pyRepr(domain)}` }),
  requiredMissing: (modelDesc, model, fieldDesc, field) =>
    `The operation cannot be completed: Missing required value for the field '${fieldDesc}' (${field}).\nModel: '${modelDesc}' (${model})\n- create/update: a mandatory field is not set\n- delete: another model requires the record being deleted, you can archive it instead\n`,
  foreignKey: (modelDesc, model, field, fieldDesc) =>
    `The operation cannot be completed: Another model is using the record you are trying to delete.\n\nThe troublemaker is: '${modelDesc}' (${model})\nThanks to the following constraint: '${fieldDesc}' (${field})\nHow about archiving the record instead?`,
};

/*
 * Validation and packing refusals. Recorded: NO_QUANTITIES_17 (17's button_validate on a done picking) and
 * NOTHING_TO_PACK_17 (17/18 put-in-pack with every line packed). The others are the texts of Odoo's sources
 * (stock_picking.py `_sanity_check`, `_get_without_quantities_error_message`; 19's stock_move_line.py
 * `action_put_in_pack`): no recorded exchange reaches them.
 */
const NO_QUANTITIES_17 = 'You cannot validate a transfer if no quantities are reserved. To force the transfer, encode quantities.';
const NO_QUANTITIES_18 = "Transfer trouble alert! Validating a zero quantity transfer? You're not moving invisible goods around are you?\nSet some quantities and let's get moving!";
const EMPTY_TRANSFER_17 = 'Please add some items to move.';
const EMPTY_TRANSFER_18 = 'You can’t validate an empty transfer. Please add some products to move before proceeding.';
const NOTHING_TO_PACK_17 = 'There is nothing eligible to put in a pack. Either there are no quantities to put in a pack or all products are already in a pack.';
const NOTHING_TO_PACK_19 = 'There is nothing eligible to put in a pack. Either there are no quantities to put in a pack or moves are already done.';

/*
 * Invoicing. The window action `create_invoices` returns is copied from flows/d_invoice.json (ids of the recorded
 * databases); the reversal wizard's refusal is the text of account/wizard/account_move_reversal.py (not recorded).
 */
const INVOICE_ACTION_HELP = '<p class="o_view_nocontent_smiling_face">\n                Create a customer invoice\n              </p><p>\n                Create invoices, register payments and keep track of the discussions with your customers.\n              </p>\n            ';
const INVOICE_ACTION_17 = {
  id: 256, name: 'Invoices', type: 'ir.actions.act_window', xml_id: 'account.action_move_out_invoice_type', help: INVOICE_ACTION_HELP,
  binding_model_id: false, binding_type: 'action', binding_view_types: 'list,form', display_name: 'Invoices', view_id: [679, 'account.out.invoice.tree'],
  domain: "[('move_type', '=', 'out_invoice')]", context: {}, res_id: 0, res_model: 'account.move', target: 'current',
  view_mode: 'tree,kanban,form,activity', mobile_view_mode: 'kanban', views: [[686, 'form'], [679, 'tree'], [false, 'kanban'], [false, 'activity']],
  limit: 80, groups_id: [], search_view_id: [689, 'account.invoice.select'], filter: false,
};
const INVOICE_ACTION_18 = {
  id: 262, name: 'Invoices', type: 'ir.actions.act_window', xml_id: 'account.action_move_out_invoice_type', path: 'invoicing', help: INVOICE_ACTION_HELP,
  binding_model_id: false, binding_type: 'action', binding_view_types: 'list,form', display_name: 'Invoices', view_id: [709, 'account.out.invoice.list'],
  domain: "[('move_type', 'in', ['out_invoice', 'out_refund'])]", context: {}, res_id: 0, res_model: 'account.move', target: 'current',
  view_mode: 'list,kanban,form,activity', mobile_view_mode: 'kanban', views: [[716, 'form'], [709, 'list'], [false, 'kanban'], [false, 'activity']],
  limit: 80, groups_id: [], search_view_id: [719, 'account.invoice.select'], embedded_action_ids: [], filter: false,
};
const INVOICE_ACTION_19 = {
  id: 261, display_name: 'Invoices', name: 'Invoices', type: 'ir.actions.act_window', xml_id: 'account.action_move_out_invoice_type', path: 'invoicing',
  help: INVOICE_ACTION_HELP, binding_model_id: false, binding_type: 'action', binding_view_types: 'list,form', view_id: [737, 'account.out.invoice.list'],
  domain: "[('move_type', 'in', ['out_invoice', 'out_refund', 'out_receipt'])]", context: {}, res_id: 0, res_model: 'account.move', target: 'current',
  view_mode: 'list,kanban,form,activity', mobile_view_mode: 'kanban', views: [[743, 'form'], [737, 'list'], [false, 'kanban'], [false, 'activity']],
  limit: 80, group_ids: [], search_view_id: [746, 'account.invoice.select'], embedded_action_ids: [], filter: false, cache: true,
};

const acl17: Record<string, string[]> = {
  'account.move:read': ['Invoicing/Billing', 'Invoicing/Billing Administrator', 'Sales/User: Own Documents Only', 'Technical/Show Accounting Features - Readonly', 'User types/Portal'],
  'res.company:write': ['Administration/Access Rights'],
  'sale.order:create': ['Sales/Administrator', 'Sales/User: Own Documents Only'],
  'ir.model:read': ['Administration/Access Rights'],
};
const acl18: Record<string, string[]> = {
  ...acl17,
  'account.move:read': ['Invoicing/Administrator', 'Invoicing/Invoicing', 'Sales/User: Own Documents Only', 'Technical/Show Accounting Features - Readonly', 'User types/Portal'],
};
const acl19: Record<string, string[]> = {
  'account.move:read': ['Accounting/Administrator', 'Accounting/Invoicing', 'Sales/User: Own Documents Only', 'Role / Portal', 'Show Accounting Features - Readonly'],
  'res.company:write': ['Access Rights'],
  'sale.order:create': ['Sales/Administrator', 'Sales/User: Own Documents Only'],
  'ir.model:read': ['Access Rights'],
};

const PROFILES: Record<OdooVersion, VersionProfile> = {
  17: {
    major: 17,
    serverVersion: '17.0-20240709',
    versionInfo: [17, 0, 0, 'final', 0, ''],
    rpcErrorCode: 200,
    debugSecond: true,
    json2: 'not-found',
    webVersionRoute: false,
    jsonrpcBadTypeStatus: 400,
    nameGet: true,
    sudoPublic: true,
    hasAccess: false,
    hasGroupOnRecords: false,
    checkAccessPrivate: false,
    formattedReadGroup: false,
    nameSearchDomainParam: 'args',
    langMustBeInstalled: false,
    warehouseContextKey: 'warehouse',
    suggestCompany: false,
    cancelWizard: true,
    deliveryOriginWithRef: false,
    naiveDatetimesOnly: false,
    recordsAsIdLists: false,
    writeMissingIsError: (model) => WRITE_READS_FIRST_17.has(model),
    storableByType: true,
    trackLocked: false,
    salePriceDigits: 2,
    stock: {
      packageModel: 'stock.quant.package', packWizard: 'choose.delivery.package', chooseDeliveryPackageViewId: 1179, putInPackActionId: null,
      packageLevels: true, packageNamesByType: false, validateSkipsDone: false, procurementAsSuperuser: true, carrierMarginPercent: true,
      noQuantitiesError: NO_QUANTITIES_17, emptyTransferError: EMPTY_TRANSFER_17, nothingToPackError: NOTHING_TO_PACK_17,
    },
    invoicing: {
      draftName: '/', salesJournalName: 'Customer Invoices', incomeAccount: [24, '400000 Product Sales'], accountDisplayWithCode: true,
      invoiceAction: INVOICE_ACTION_17, actionContextOrigin: true, reverseNotPostedError: 'You can only reverse posted moves.', listViewType: 'tree',
      invoiceReportName: 'Invoices',
    },
    messages: messages17,
    aclGroups: acl17,
  },
  18: {
    major: 18,
    serverVersion: '18.0',
    versionInfo: [18, 0, 0, 'final', 0, ''],
    rpcErrorCode: 200,
    debugSecond: true,
    json2: 'redirect',
    webVersionRoute: false,
    jsonrpcBadTypeStatus: 400,
    nameGet: false,
    sudoPublic: false,
    hasAccess: true,
    hasGroupOnRecords: true,
    checkAccessPrivate: false,
    formattedReadGroup: false,
    nameSearchDomainParam: 'args',
    langMustBeInstalled: true,
    warehouseContextKey: 'warehouse_id',
    suggestCompany: true,
    cancelWizard: true,
    deliveryOriginWithRef: true,
    naiveDatetimesOnly: false,
    recordsAsIdLists: false,
    writeMissingIsError: () => true,
    storableByType: false,
    trackLocked: true,
    salePriceDigits: 2,
    stock: {
      packageModel: 'stock.quant.package', packWizard: 'choose.delivery.package', chooseDeliveryPackageViewId: 1257, putInPackActionId: null,
      packageLevels: true, packageNamesByType: false, validateSkipsDone: true, procurementAsSuperuser: false, carrierMarginPercent: false,
      noQuantitiesError: NO_QUANTITIES_18, emptyTransferError: EMPTY_TRANSFER_18, nothingToPackError: NOTHING_TO_PACK_17,
    },
    invoicing: {
      draftName: false, salesJournalName: 'Customer Invoices', incomeAccount: [27, '400000 Product Sales'], accountDisplayWithCode: true,
      invoiceAction: INVOICE_ACTION_18, actionContextOrigin: true, reverseNotPostedError: 'You can only reverse posted moves.', listViewType: 'list',
      invoiceReportName: 'Invoice PDF',
    },
    messages: messages18,
    aclGroups: acl18,
  },
  19: {
    major: 19,
    serverVersion: '19.0',
    versionInfo: [19, 0, 0, 'final', 0, ''],
    rpcErrorCode: 0,
    debugSecond: false,
    json2: 'serve',
    webVersionRoute: true,
    jsonrpcBadTypeStatus: 415,
    nameGet: false,
    sudoPublic: false,
    hasAccess: true,
    hasGroupOnRecords: true,
    checkAccessPrivate: true,
    formattedReadGroup: true,
    nameSearchDomainParam: 'domain',
    langMustBeInstalled: true,
    warehouseContextKey: 'warehouse_id',
    suggestCompany: true,
    cancelWizard: false,
    deliveryOriginWithRef: false,
    naiveDatetimesOnly: true,
    recordsAsIdLists: true,
    writeMissingIsError: () => true,
    storableByType: false,
    trackLocked: true,
    salePriceDigits: null,
    stock: {
      packageModel: 'stock.package', packWizard: 'stock.put.in.pack', chooseDeliveryPackageViewId: null, putInPackActionId: 343,
      packageLevels: false, packageNamesByType: true, validateSkipsDone: true, procurementAsSuperuser: false, carrierMarginPercent: false,
      noQuantitiesError: NO_QUANTITIES_18, emptyTransferError: EMPTY_TRANSFER_18, nothingToPackError: NOTHING_TO_PACK_19,
    },
    invoicing: {
      draftName: false, salesJournalName: 'Sales', incomeAccount: [26, 'Product Sales'], accountDisplayWithCode: false,
      invoiceAction: INVOICE_ACTION_19, actionContextOrigin: false, reverseNotPostedError: 'To reverse a journal entry, it has to be posted first.', listViewType: 'list',
      invoiceReportName: 'Invoice PDF',
    },
    messages: messages19,
    aclGroups: acl19,
  },
};

/** 17: models whose `write` override reads the record before writing (a missing id is then a MissingError). */
const WRITE_READS_FIRST_17 = new Set(['res.partner', 'res.users', 'sale.order', 'product.product', 'product.template', 'stock.picking']);

export function versionProfile(version: OdooVersion): VersionProfile {
  const p = PROFILES[version];
  if (!p) throw new Error(`The emulator plays Odoo 17, 18 or 19 (got ${String(version)})`);
  return p;
}
