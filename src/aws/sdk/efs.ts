/** @aws-sdk/client-efs, loaded with require: see load.ts for why. */
import type * as Sdk from "@aws-sdk/client-efs";
import { loadSdk } from "./load.js";

export type * from "@aws-sdk/client-efs";
export const { EFSClient, DescribeFileSystemsCommand, DescribeMountTargetsCommand, DescribeAccessPointsCommand, UpdateFileSystemCommand } = loadSdk<typeof Sdk>("@aws-sdk/client-efs");
/** The client class is a type as well as a value. */
export type EFSClient = Sdk.EFSClient;
