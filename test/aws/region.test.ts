/** The one check of a region's name: a stack file's `region` and `--region` of iam-policy and export. */
import { describe, expect, it } from "vitest";
import { isRegion } from "../../src/aws/region.js";

describe("isRegion", () => {
  it("accepts AWS's regions in every partition, and new ones named the same way", () => {
    for (const r of ["us-east-1", "us-west-2", "eu-west-3", "ap-southeast-7", "ap-northeast-3", "ca-central-1", "mx-central-1", "il-central-1", "cn-northwest-1", "us-gov-west-1", "us-iso-east-1", "us-isob-east-1", "eu-isoe-west-1", "us-isof-south-1", "eusc-de-east-1", "xx-south-12"]) {
      expect(isRegion(r), r).toBe(true);
    }
  });

  it("refuses a typo in the direction, spaces, capitals, a missing number and other shapes", () => {
    for (const r of ["us-eest-1", "x y", "", "*", "US-EAST-1", "us-east", "useast1", "us-east-1a", "us east 1", " us-east-1", "us-east-1 ", "arn:aws:us-east-1", "us--east-1", "u-east-1"]) {
      expect(isRegion(r), JSON.stringify(r)).toBe(false);
    }
  });
});
