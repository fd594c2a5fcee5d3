/** @aws-sdk/client-sns, loaded with require: see load.ts for why. */
import type * as Sdk from "@aws-sdk/client-sns";
import { loadSdk } from "./load.js";

export type * from "@aws-sdk/client-sns";
export const { SNSClient, ListTopicsCommand, PublishCommand } = loadSdk<typeof Sdk>("@aws-sdk/client-sns");
/** The client class is a type as well as a value. */
export type SNSClient = Sdk.SNSClient;
