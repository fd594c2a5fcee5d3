/** @aws-sdk/client-elastic-load-balancing-v2, loaded with require on first use: see load.ts for why. */
import type * as Sdk from "@aws-sdk/client-elastic-load-balancing-v2";
import { lazySdk } from "./load.js";

export type * from "@aws-sdk/client-elastic-load-balancing-v2";
export const { ElasticLoadBalancingV2Client, DescribeTargetGroupAttributesCommand } = lazySdk<typeof Sdk>("@aws-sdk/client-elastic-load-balancing-v2");
/** The client class is a type as well as a value. */
export type ElasticLoadBalancingV2Client = Sdk.ElasticLoadBalancingV2Client;
