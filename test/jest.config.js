import preset from "../jest.preset.js";
export default { ...preset, rootDir: ".", testMatch: ["<rootDir>/**/*.test.ts"], testTimeout: 120000 };
