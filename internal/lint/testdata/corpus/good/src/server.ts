import { loadEnv } from "./env";

const env = loadEnv();
const apiKey = process.env.API_KEY;
const tokenHeader = "Authorization";
const password: string = env.DB_PASSWORD;

export { apiKey, tokenHeader, password };
