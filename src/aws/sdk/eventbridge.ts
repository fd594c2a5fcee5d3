/** @aws-sdk/client-eventbridge, loaded with require: see load.ts for why. */
import type * as Sdk from "@aws-sdk/client-eventbridge";
import { loadSdk } from "./load.js";

export type * from "@aws-sdk/client-eventbridge";
export const { EventBridgeClient, ListRulesCommand, ListTargetsByRuleCommand, TestEventPatternCommand } = loadSdk<typeof Sdk>("@aws-sdk/client-eventbridge");
/** The client class is a type as well as a value. */
export type EventBridgeClient = Sdk.EventBridgeClient;
