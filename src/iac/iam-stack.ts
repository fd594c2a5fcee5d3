/**
 * The FIS experiment role and the runner's policy as plain JSON policy documents, a CloudFormation
 * template (AWS::IAM::Role + AWS::IAM::ManagedPolicy) or Terraform JSON (aws_iam_role,
 * aws_iam_role_policy, aws_iam_policy). Terraform JSON (`*.tf.json`) rather than HCL: Terraform
 * reads it as it reads HCL, and printing it needs no HCL printer of our own.
 */
import { fisTrustPolicy, policyDocument, type PolicyDocument } from "../iam/policy.js";
import type { Permission } from "../iam/permission.js";
import { forCloudFormation, TERRAFORM_DATA, terraformString, withValues } from "./pseudo.js";

export type IacFormat = "json" | "cloudformation" | "terraform";

export interface IamStackInput {
  fisRole: Permission[];
  runner: Permission[];
  /** The FIS role's ARN (placeholders allowed): its name (and path) become the role's. */
  roleArn: string;
  /** What the output is for, for the template's description. */
  about: string;
}

/** "arn:aws:iam::${AWS::AccountId}:role/teams/gameday-fis" -> { path: "/teams/", name: "gameday-fis" }. */
export function roleNameAndPath(roleArn: string): { name: string; path: string } {
  const rest = roleArn.slice(roleArn.indexOf(":role/") + ":role/".length);
  const cut = rest.lastIndexOf("/");
  return cut < 0 ? { name: rest, path: "/" } : { name: rest.slice(cut + 1), path: `/${rest.slice(0, cut + 1)}` };
}

export interface IamDocuments {
  fisRoleArn: string;
  fisRoleTrustPolicy: ReturnType<typeof fisTrustPolicy>;
  fisRolePolicy: PolicyDocument;
  runnerPolicy: PolicyDocument;
}

export function iamDocuments(i: IamStackInput): IamDocuments {
  return { fisRoleArn: i.roleArn, fisRoleTrustPolicy: fisTrustPolicy(), fisRolePolicy: policyDocument(i.fisRole), runnerPolicy: policyDocument(i.runner) };
}

/** Plain JSON: the account and region given, or `*` (any), in every ARN. */
export function iamJson(i: IamStackInput, where: { accountId?: string; region?: string }): IamDocuments {
  return withValues(iamDocuments(i), { accountId: where.accountId ?? "*", region: where.region ?? "*" });
}

/** CloudFormation resources (logical id -> resource), to stand alone or join a larger template. */
export function iamCloudFormationResources(i: IamStackInput): Record<string, unknown> {
  const docs = iamDocuments(i);
  const role = roleNameAndPath(i.roleArn);
  return {
    GamedayFisRole: {
      Type: "AWS::IAM::Role",
      Properties: {
        RoleName: role.name,
        Path: role.path,
        Description: "AWS FIS experiment role for gameday's fault templates",
        AssumeRolePolicyDocument: docs.fisRoleTrustPolicy,
        // IAM refuses a policy without statements: an experiment with no fault gives the role none.
        Policies: docs.fisRolePolicy.Statement.length > 0 ? [{ PolicyName: "gameday-fis-actions", PolicyDocument: forCloudFormation(docs.fisRolePolicy) }] : [],
      },
    },
    GamedayRunnerPolicy: {
      Type: "AWS::IAM::ManagedPolicy",
      Properties: {
        ManagedPolicyName: "gameday-runner",
        Description: "What `chaos run` calls; attach it to the role or user that runs gameday",
        PolicyDocument: forCloudFormation(docs.runnerPolicy),
      },
    },
  };
}

export function iamCloudFormation(i: IamStackInput): Record<string, unknown> {
  return {
    AWSTemplateFormatVersion: "2010-09-09",
    Description: `gameday IAM: ${i.about}`.slice(0, 1024),
    Resources: iamCloudFormationResources(i),
    Outputs: {
      FisRoleArn: { Description: "Give this to gameday as configuration.fisRoleArn if the role name differs from gameday-fis", Value: { "Fn::GetAtt": ["GamedayFisRole", "Arn"] } },
      RunnerPolicyArn: { Value: { Ref: "GamedayRunnerPolicy" } },
    },
  };
}

/** Terraform JSON resources, to stand alone or merge into a larger document. */
export function iamTerraformResources(i: IamStackInput): Record<string, Record<string, unknown>> {
  const docs = iamDocuments(i);
  const role = roleNameAndPath(i.roleArn);
  return {
    aws_iam_role: {
      gameday_fis: {
        name: role.name,
        path: role.path,
        description: "AWS FIS experiment role for gameday's fault templates",
        assume_role_policy: terraformString(JSON.stringify(docs.fisRoleTrustPolicy)),
      },
    },
    ...(docs.fisRolePolicy.Statement.length > 0
      ? { aws_iam_role_policy: { gameday_fis: { name: "gameday-fis-actions", role: "${aws_iam_role.gameday_fis.id}", policy: terraformString(JSON.stringify(docs.fisRolePolicy)) } } }
      : {}),
    aws_iam_policy: {
      gameday_runner: { name: "gameday-runner", description: "What chaos run calls; attach it to the role or user that runs gameday", policy: terraformString(JSON.stringify(docs.runnerPolicy)) },
    },
  };
}

export function iamTerraform(i: IamStackInput): Record<string, unknown> {
  return {
    "//": `gameday IAM: ${i.about}`,
    data: TERRAFORM_DATA,
    resource: iamTerraformResources(i),
    output: {
      fis_role_arn: { value: "${aws_iam_role.gameday_fis.arn}" },
      runner_policy_arn: { value: "${aws_iam_policy.gameday_runner.arn}" },
    },
  };
}

