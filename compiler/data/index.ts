/** Data: loading JSON/CSV files and checking them against a model's `data` declarations. */
export { checkData, declaredConstraint, type BoundData, type BoundVariable } from "./check.js";
export { DATA_CODES } from "./errors.js";
export { loadDataFile } from "./load.js";
export { dataFormatOf, locateNames, parseData, type DataFormat, type LoadedData } from "./parse.js";
export { printTensorType } from "./sizes.js";
