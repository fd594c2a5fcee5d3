/**
 * A small IAM role model: which role a request comes from, and the `aws:iam:role` FIS resource
 * type that inject-api-* actions target. A request's role is found from the access key id in its
 * SigV4 `authorization` header (`Credential=AKID/date/region/service/aws4_request`); keys that
 * belong to no configured role, and unsigned requests, act as the default role.
 */
import { describedResourceType } from "../../../fis/catalog.js";
import type { Kernel } from "../../kernel.js";
import type { FisResource, FisResourceType } from "../fis/registry.js";

export const DEFAULT_ROLE_NAME = "gameday-sandbox";
/** The role gameday's FIS templates name unless configuration.fisRoleArn says otherwise. */
export const FIS_ROLE_NAME = "gameday-fis";

export interface RoleConfig {
  name: string;
  accessKeyIds: string[];
  tags?: Record<string, string> | undefined;
}

export interface Role {
  name: string;
  arn: string;
  tags: Record<string, string>;
}

export function accessKeyIdOf(headers: Record<string, string>): string | undefined {
  const auth = headers["authorization"];
  if (!auth) return undefined;
  return /Credential=([^/,\s]+)\//.exec(auth)?.[1];
}

export class RoleDirectory {
  private readonly roles = new Map<string, Role>();
  private readonly byAccessKey = new Map<string, Role>();
  readonly defaultRole: Role;

  constructor(
    private readonly kernel: Kernel,
    configs: readonly RoleConfig[],
  ) {
    this.defaultRole = this.add({ name: DEFAULT_ROLE_NAME, accessKeyIds: [] });
    for (const config of configs) {
      if (this.roles.has(config.name)) throw new Error(`roles: the role name '${config.name}' is given twice; role names must be unique`);
      const role = this.add(config);
      for (const key of config.accessKeyIds) {
        const owner = this.byAccessKey.get(key);
        if (owner) throw new Error(`roles: access key id '${key}' belongs to both '${owner.name}' and '${config.name}'; a key belongs to one role`);
        this.byAccessKey.set(key, role);
      }
    }
    // The role gameday's FIS templates name by default, as an account set up for gameday has it.
    if (!this.roles.has(FIS_ROLE_NAME)) this.add({ name: FIS_ROLE_NAME, accessKeyIds: [] });
  }

  arnOf(name: string): string {
    return `arn:aws:iam::${this.kernel.accountId}:role/${name}`;
  }

  /** The role a request acts as. */
  roleOf(headers: Record<string, string>): Role {
    const key = accessKeyIdOf(headers);
    return (key && this.byAccessKey.get(key)) || this.defaultRole;
  }

  byName(name: string): Role | undefined {
    return this.roles.get(name);
  }

  all(): Role[] {
    return [...this.roles.values()];
  }

  /** The `aws:iam:role` resource type; the Describe shape is IAM GetRole's `Role`. */
  resourceType(): FisResourceType {
    return {
      ...describedResourceType("aws:iam:role"),
      candidates: () => this.all().map((role) => this.resource(role)),
    };
  }

  private resource(role: Role): FisResource {
    return {
      arn: role.arn,
      info: { arn: role.arn },
      describe: { RoleName: role.name, Arn: role.arn, Path: "/", Tags: Object.entries(role.tags).map(([Key, Value]) => ({ Key, Value })) },
      tags: { ...role.tags },
    };
  }

  private add(config: RoleConfig): Role {
    const role: Role = { name: config.name, arn: this.arnOf(config.name), tags: { ...(config.tags ?? {}) } };
    this.roles.set(role.name, role);
    return role;
  }
}
