// The part of the untyped `fernet` package (npm) the benchmark uses.
declare module 'fernet' {
  export class Secret {
    constructor(base64Key: string);
  }
  export class Token {
    constructor(options: { secret: Secret; token?: string; ttl?: number });
    encode(message: string): string;
    decode(): string;
  }
  const fernet: { Secret: typeof Secret; Token: typeof Token };
  export default fernet;
}
