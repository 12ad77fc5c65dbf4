/**
 * The models the emulator serves. Adding a model: write its file (subclass of orm/model.ts) and list it here.
 */
import type { Model } from '../orm/model.ts';
import { AccountTaxGroup, IrModuleModule, MailMessageSubtype, ResCountry, ResCountryState, ResCurrency, ResLang, UomUom } from './base.models.ts';
import { DeliveryCarrier } from './delivery.carrier.model.ts';
import { ResPartner } from './res.partner.model.ts';
import { ResCompany, ResUsers, ResUsersApikeys, ResUsersApikeysDescription } from './res.users.model.ts';
import { ProductAttribute, ProductAttributeValue, ProductCategory, ProductTemplateAttributeLine, ProductTemplateAttributeValue } from './product.attribute.model.ts';
import { ProductProduct, ProductTemplate } from './product.model.ts';
import { ProductPricelist } from './product.pricelist.model.ts';
import { StockLocation, StockPickingType, StockQuant, StockWarehouse } from './stock.model.ts';
import { StockMove } from './stock.move.model.ts';
import { StockMoveLine } from './stock.move.line.model.ts';
import { StockPicking } from './stock.picking.model.ts';
import { StockPackage, StockPackageLevel, StockPackageType, StockQuantPackage } from './stock.package.model.ts';
import { ChooseDeliveryPackage, StockPutInPack } from './stock.put.in.pack.model.ts';
import { StockBackorderConfirmation } from './stock.backorder.model.ts';
import { AccountTax } from './account.tax.model.ts';
import { AccountAccount, AccountJournal } from './account.journal.model.ts';
import { AccountMove, AccountMoveLine } from './account.move.model.ts';
import { AccountMoveReversal } from './account.move.reversal.model.ts';
import { SaleAdvancePaymentInv } from './sale.invoice.model.ts';
import { IrActionsReport } from './ir.actions.report.model.ts';
import { SaleOrder, SaleOrderLine } from './sale.model.ts';
import { MailMessage, MailTrackingValue } from './mail.thread.ts';
import { IrAttachment } from './ir.attachment.model.ts';
import { IrModel, IrModelData } from './ir.models.ts';
import { IrModelFieldsWithViews, IrUiView } from './ir.ui.view.model.ts';
import { ResGroupsWithMembers } from './res.groups.model.ts';
import { IrActionsServer } from './ir.actions.server.model.ts';
import { BaseAutomation } from './base.automation.model.ts';

export const MODEL_CLASSES: (new () => Model)[] = [
  ResCountry, ResCountryState, ResCurrency, ResLang, UomUom, ResGroupsWithMembers, MailMessageSubtype, AccountTaxGroup, IrModuleModule, DeliveryCarrier,
  StockPackageType, ResPartner, ResCompany, ResUsers, ResUsersApikeys, ResUsersApikeysDescription, ProductCategory, ProductAttribute,
  ProductAttributeValue, ProductTemplateAttributeLine, ProductTemplateAttributeValue, ProductTemplate, ProductProduct, ProductPricelist, StockWarehouse,
  StockLocation, StockPickingType, StockQuantPackage, StockPackage, StockPackageLevel, StockQuant, StockMove, StockMoveLine, StockPicking,
  ChooseDeliveryPackage, StockPutInPack, StockBackorderConfirmation, AccountTax, AccountAccount, AccountJournal, AccountMove, AccountMoveLine,
  SaleOrder, SaleOrderLine, SaleAdvancePaymentInv, AccountMoveReversal, MailMessage, MailTrackingValue, IrAttachment, IrModel,
  IrModelFieldsWithViews, IrModelData, IrActionsReport,
  // Provisioning: views (with get_views on every model), server actions, automation rules.
  IrUiView, IrActionsServer, BaseAutomation,
];
