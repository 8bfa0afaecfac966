import type { RequestHandler } from 'express';
import { BadRequestError } from './errors';

/**
 * Folio's forms use flat field names only. A bracketed key (`username[$ne]=x`, `__proto__[admin]=1`) is
 * an attempt to smuggle structure into a query or a prototype: refuse it outright as a malformed request.
 */
export const rejectNestedKeys: RequestHandler = (req, _res, next) => {
  const keys = [
    ...Object.keys(req.query as object),
    ...(req.body && typeof req.body === 'object' ? Object.keys(req.body) : []),
  ];
  if (keys.some((key) => key.includes('[') || key === '__proto__' || key === 'constructor' || key === 'prototype')) {
    throw new BadRequestError('Malformed request');
  }
  next();
};
