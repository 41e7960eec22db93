import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

type OperationOptions = ConstructorParameters<typeof NodeOperationError>[2];
type ApiOptions = ConstructorParameters<typeof NodeApiError>[2];

// n8n replaces any error message that mentions a system code (ECONNREFUSED, ENOTFOUND, ...) with a
// generic one ("The service refused the connection - perhaps it is offline"). Ours say which side
// failed (often the service reporting on the user's image URL), so they are kept as written.

export function operationError(node: INode, message: string, options: OperationOptions = {}): NodeOperationError {
	const error = new NodeOperationError(node, message, options);
	error.message = message;
	return error;
}

export function apiError(node: INode, response: JsonObject, options: ApiOptions & { message: string }): NodeApiError {
	const error = new NodeApiError(node, response, options);
	error.message = options.message;
	return error;
}

export type NodeError = NodeOperationError | NodeApiError;

/** Any error of an item as an n8n error that names the item. */
export function asNodeError(node: INode, error: unknown, itemIndex?: number): NodeError {
	if (error instanceof NodeOperationError || error instanceof NodeApiError) return error;
	return operationError(node, (error as Error)?.message ?? String(error), { itemIndex });
}
