/**
 * The stack's subnets: where tasks run, and what `aws:network:disrupt-connectivity` can cut off.
 * When the stack names none, each Availability Zone gets one private subnet with a readable id.
 */
import { z } from "zod";

export const subnetSchema = z
  .object({
    id: z.string().regex(/^subnet-[0-9a-z]+$/, { message: 'expected a subnet id such as "subnet-0a1b2c"' }),
    az: z.string().min(1),
    tags: z.record(z.string(), z.string()).optional(),
  })
  .strict();

export type SubnetSpec = z.infer<typeof subnetSchema>;

/** One subnet per AZ: us-east-1a -> subnet-useast1a. */
export function defaultSubnets(availabilityZones: readonly string[]): SubnetSpec[] {
  return availabilityZones.map((az) => ({ id: `subnet-${az.replace(/[^a-z0-9]/g, "")}`, az }));
}

export function subnetFor(subnets: readonly SubnetSpec[], az: string): SubnetSpec | undefined {
  return subnets.find((s) => s.az === az);
}
