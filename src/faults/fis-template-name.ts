/** The fault name of `fis-template:` steps, apart from the module so that the schema and plan import no zod or AWS code for it. */
export const FIS_TEMPLATE_FAULT = "fis-template";
