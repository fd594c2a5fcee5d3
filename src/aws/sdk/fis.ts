/** @aws-sdk/client-fis, loaded with require on first use: see load.ts for why. */
import type * as Sdk from "@aws-sdk/client-fis";
import { lazySdk } from "./load.js";

export type * from "@aws-sdk/client-fis";
export const { FisClient, GetActionCommand, GetExperimentCommand, StopExperimentCommand, ListExperimentsCommand, DeleteExperimentTemplateCommand, ListExperimentTemplatesCommand, ListExperimentResolvedTargetsCommand, StartExperimentCommand, CreateExperimentTemplateCommand } = lazySdk<typeof Sdk>("@aws-sdk/client-fis");
/** The client class is a type as well as a value. */
export type FisClient = Sdk.FisClient;
