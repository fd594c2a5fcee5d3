/**
 * The subnets callers live in, as far as the sandbox's network faults need them: the
 * `aws:ec2:subnet` FIS resource type that aws:network:disrupt-connectivity targets. The stack
 * file supplies the list; the Describe shape is EC2 DescribeSubnets' `Subnet`.
 */
import { describedResourceType } from "../../../fis/catalog.js";
import type { Kernel } from "../../kernel.js";
import type { FisResource, FisResourceType } from "../fis/registry.js";

export interface SubnetConfig {
  id: string;
  /** Availability Zone name, e.g. us-east-1a. */
  az: string;
  /** Availability Zone id, e.g. use1-az1; FIS's availabilityZoneIdentifier accepts either. */
  azId?: string | undefined;
  vpc?: string | undefined;
  tags?: Record<string, string> | undefined;
}

export const DEFAULT_VPC_ID = "vpc-0sandbox";

export class SubnetDirectory {
  private readonly subnets = new Map<string, SubnetConfig>();

  constructor(
    private readonly kernel: Kernel,
    configs: readonly SubnetConfig[],
  ) {
    for (const s of configs) {
      if (this.subnets.has(s.id)) throw new Error(`subnets: the subnet id '${s.id}' is given twice; subnet ids must be unique`);
      this.subnets.set(s.id, s);
    }
  }

  has(id: string): boolean {
    return this.subnets.has(id);
  }

  arnOf(id: string): string {
    return this.kernel.arn("ec2", `subnet/${id}`);
  }

  /** The subnet id in an `aws:ec2:subnet` ARN. */
  idOf(arn: string): string | undefined {
    return /:subnet\/(subnet-[\w-]+|[\w-]+)$/.exec(arn)?.[1];
  }

  resourceType(): FisResourceType {
    return {
      ...describedResourceType("aws:ec2:subnet"),
      candidates: (parameters) =>
        [...this.subnets.values()]
          .filter((s) => {
            const az = parameters["availabilityZoneIdentifier"];
            if (az !== undefined && az !== s.az && az !== s.azId) return false;
            const vpc = parameters["vpc"];
            return vpc === undefined || vpc === (s.vpc ?? DEFAULT_VPC_ID);
          })
          .map((s) => this.resource(s)),
    };
  }

  private resource(s: SubnetConfig): FisResource {
    const arn = this.arnOf(s.id);
    const tags = { ...(s.tags ?? {}) };
    return {
      arn,
      info: { arn, availabilityZone: s.az },
      describe: {
        SubnetId: s.id,
        SubnetArn: arn,
        AvailabilityZone: s.az,
        ...(s.azId ? { AvailabilityZoneId: s.azId } : {}),
        VpcId: s.vpc ?? DEFAULT_VPC_ID,
        State: "available",
        Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
      },
      tags,
    };
  }
}
