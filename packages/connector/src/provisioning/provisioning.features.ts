import type { OdooClient } from '../odoo/odoo.client.ts';
import { OdooAccessError, OdooNotFoundError } from '../odoo/odoo.errors.ts';
import type { OdooFields } from '../odoo/odoo.types.ts';

/**
 * What provisioning needs to know of an Odoo database, found by feature detection on `fields_get` (DESIGN §4.1)
 * rather than by version number: whether custom fields can be company-dependent (18+), the tag of list views
 * (`tree` in 17, `list` after: ir.ui.view's type selection), the members field of groups (`users`, 19 `user_ids`),
 * and whether automation rules exist (the base_automation module).
 */
export interface ProvisioningFeatures {
  supportsCompanyDependent: boolean;
  listTag: 'tree' | 'list';
  groupMembersField: 'users' | 'user_ids' | null;
  automationRules: boolean;
}

async function optional(client: OdooClient, model: string, attributes: string[]): Promise<OdooFields | null> {
  try {
    return await client.fieldsGet(model, { attributes });
  } catch (error) {
    if (error instanceof OdooNotFoundError || error instanceof OdooAccessError) return null;
    throw error;
  }
}

export async function detectProvisioningFeatures(client: OdooClient): Promise<ProvisioningFeatures> {
  const [modelFields, viewFields, groupFields, automation] = await Promise.all([
    client.fieldsGet('ir.model.fields', { attributes: ['type'] }),
    client.fieldsGet('ir.ui.view', { attributes: ['type', 'selection'] }),
    optional(client, 'res.groups', ['type', 'relation']),
    optional(client, 'base.automation', ['type']),
  ]);
  const viewTypes = (viewFields.type?.selection || []).map(([value]) => value);
  return {
    supportsCompanyDependent: 'company_dependent' in modelFields,
    listTag: viewTypes.includes('list') ? 'list' : 'tree',
    groupMembersField: groupFields ? ('user_ids' in groupFields ? 'user_ids' : 'users' in groupFields ? 'users' : null) : null,
    automationRules: automation !== null,
  };
}
