/** The part of the libpq package (node-libpq) the PostgreSQL store uses: synchronous calls only. */
declare module 'libpq' {
  class PQ {
    connectSync(paramString?: string): void;
    finish(): void;
    errorMessage(): string;
    /** 0 idle, 1 active, 2 in a transaction, 3 in a failed transaction, 4 unknown. */
    transactionStatus(): number;
    exec(commandText: string): void;
    prepare(statementName: string, commandText: string, nParams: number): void;
    execPrepared(statementName: string, parameters: (string | null)[]): void;
    execParams(commandText: string, parameters: (string | null)[]): void;
    resultStatus(): string;
    resultErrorMessage(): string;
    resultErrorFields(): { sqlState?: string; constraintName?: string } | null;
    ntuples(): number;
    nfields(): number;
    fname(index: number): string;
    ftype(index: number): number;
    getvalue(row: number, column: number): string;
    getisnull(row: number, column: number): boolean;
    cmdTuples(): string;
    escapeIdentifier(input: string): string;
    escapeLiteral(input: string): string;
    clear(): void;
    connected: boolean;
  }
  export = PQ;
}
