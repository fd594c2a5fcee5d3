/** @aws-sdk/client-efs, loaded with require on first use: see load.ts for why. */
import type * as Sdk from "@aws-sdk/client-efs";
import { lazySdk } from "./load.js";

export type * from "@aws-sdk/client-efs";
export const { EFSClient, DescribeFileSystemsCommand, DescribeMountTargetsCommand, DescribeAccessPointsCommand, UpdateFileSystemCommand } = lazySdk<typeof Sdk>("@aws-sdk/client-efs");
/** The client class is a type as well as a value. */
export type EFSClient = Sdk.EFSClient;
