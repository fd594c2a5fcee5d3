/** @aws-sdk/client-ec2, loaded with require on first use: see load.ts for why. */
import type * as Sdk from "@aws-sdk/client-ec2";
import { lazySdk } from "./load.js";

export type * from "@aws-sdk/client-ec2";
export const { EC2Client, DescribeInstancesCommand, DescribeInstanceAttributeCommand } = lazySdk<typeof Sdk>("@aws-sdk/client-ec2");
/** The client class is a type as well as a value. */
export type EC2Client = Sdk.EC2Client;
