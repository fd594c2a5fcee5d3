/**
 * Why FIS refuses a template, as FIS words it: the exception's name (ValidationException 400,
 * ServiceQuotaExceededException 402) and message, plus the JSON path of the member at fault when
 * known. Neutral: the sandbox turns it into its wire error, the CLI into a located input error.
 */
export class FisRejection extends Error {
  constructor(
    readonly code: "ValidationException" | "ServiceQuotaExceededException",
    message: string,
    readonly statusCode: number,
    /** The member at fault, as FIS paths name it: "targets.spot.selectionMode". */
    readonly path?: string,
  ) {
    super(message);
    this.name = code;
  }
}

export function validationError(message: string, path?: string): FisRejection {
  return new FisRejection("ValidationException", message, 400, path);
}

export function quotaExceeded(message: string, path?: string): FisRejection {
  return new FisRejection("ServiceQuotaExceededException", message, 402, path);
}

/**
 * The wording AWS's request validation uses for model constraints (required members, lengths,
 * map sizes, enums), e.g. "1 validation error detected: Value null at 'roleArn' failed to satisfy
 * constraint: Member must not be null".
 */
export function constraintError(value: unknown, path: string, constraint: string): FisRejection {
  const shown = value === undefined || value === null ? "null" : typeof value === "string" ? `'${value}'` : `'${JSON.stringify(value)}'`;
  return validationError(`1 validation error detected: Value ${shown} at '${path}' failed to satisfy constraint: ${constraint}`, path.replace(/ key$/, ""));
}
