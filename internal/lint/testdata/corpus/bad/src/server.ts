import vault from "node-vault";

const apiKey = "sk-live-abc123";
const dbUrl = process.env.DATABASE_URL;

export const client = vault({ endpoint: process.env.VAULT_ADDR });
